import { describe, expect, it } from 'vitest';
import {
  asset,
  CronDataIntervalTimetable,
  CronTriggerTimetable,
  DeadlineReference,
  httpNotifier,
  DeltaDataIntervalTimetable,
  bash,
  chain,
  dag,
  empty,
  param,
  task,
  taskGroup,
  type TaskContext,
} from 'updraft/sdk';
import type { SerializedDag, SerializedTask } from '../../../../src/core/model/serialized-dag.ts';
import {
  parseSerializedDag,
  serializeDag,
  serializedDagSchema,
  serializedTaskSchema,
} from '../../../../src/core/serialization/index.ts';

const extract = task({ taskId: 'extract', doXcomPush: false }, async (ctx: TaskContext) => ctx.ds);
const load = task(
  {
    taskId: 'load',
    retries: 4,
    retryDelay: 45,
    retryExponentialBackoff: true,
    maxRetryDelay: 900,
    executionTimeout: 600,
    triggerRule: 'none_failed_min_one_success',
    executor: 'fargate',
    executorConfig: { cpu: 2048, memory: 8192, spot: true },
    pool: 'warehouse',
    poolSlots: 3,
    maxActiveTisPerDag: 2,
    priorityWeight: 9,
    weightRule: 'upstream',
    waitForDownstream: true,
    doc: 'Loads the batch into the warehouse.',
    outlets: [asset('s3://warehouse/orders/', { extra: { format: 'parquet' } }), asset('s3://warehouse/audit/')],
    // A task's deadline alert: its reference and interval are serialized, its callback stays in the bundle.
    deadline: { reference: DeadlineReference.TASK_STARTED_AT, interval: 1800, callback: () => {} },
  },
  async (ctx: TaskContext, batch: unknown, options: unknown) => [batch, options],
);

/** A DAG that sets every serialized field to something other than its default. */
function everyFieldDag() {
  return dag(
    {
      dagId: 'every_field',
      schedule: {
        timetable: new CronTriggerTimetable('15 6 * * 1-5', 'Europe/Berlin', { interval: 3600 }),
        assets: asset('s3://lake/orders/').and(asset('s3://lake/customers/').or(asset('s3://lake/refresh/'))),
      },
      startDate: '2025-03-01T06:00:00+01:00',
      endDate: new Date('2026-01-01T00:00:00Z'),
      timezone: 'Europe/Berlin',
      catchup: true,
      maxActiveRuns: 3,
      maxActiveTasks: 7,
      params: {
        table: param('orders', { type: 'string', description: 'Table to load' }),
        limit: 100,
        filters: param({ region: ['eu', 'us'], active: true }, { type: 'object' }),
      },
      tags: ['finance', 'orders'],
      description: 'Every field of a serialized DAG',
      // DAG-run callbacks and deadline: only their existence is serialized.
      onSuccess: () => {},
      onFailure: [() => {}, httpNotifier({ connId: 'slack_alerts' })],
      deadline: { reference: DeadlineReference.FIXED_DATETIME('2025-03-01T08:00:00Z'), interval: -900, callback: () => {} },
    },
    () => {
      const raw = extract();
      const shell = bash({ taskId: 'export', bashCommand: 'echo {{ ds }}', env: { TABLE: '{{ params.table }}' }, cwd: '/srv' });
      // DAG shapes: load sits in a group without prefix, as a teardown of extract (then a setup).
      let loaded!: ReturnType<typeof load>;
      taskGroup({ groupId: 'stage', prefixGroupId: false, tooltip: 'Loads the batch' }, () => {
        loaded = load(raw.output('batch'), { mode: 'append', chunks: [1, 2], note: null }).asTeardown({ setups: raw, onFailureFailDagrun: true });
      });
      chain(shell, raw);
      loaded.setDownstream(empty({ taskId: 'done', triggerRule: 'all_done' }));
    },
  );
}

/** Task fields of dynamic task mapping: serialize-mapping.test.ts round-trips them (one task cannot carry both). */
const MAPPING_TASK_KEYS: string[] = ['expandInputs', 'mappedGroupId'];

const expected: SerializedDag = {
  formatVersion: 1,
  dagId: 'every_field',
  fileloc: 'finance/every-field.ts',
  description: 'Every field of a serialized DAG',
  tags: ['finance', 'orders'],
  timetable: { type: 'cron_trigger', cron: '15 6 * * 1-5', timezone: 'Europe/Berlin', intervalSeconds: 3600 },
  scheduleDescription: `Asset or ${new CronTriggerTimetable('15 6 * * 1-5', 'Europe/Berlin', { interval: 3600 }).summary}`,
  startDate: '2025-03-01T05:00:00.000Z',
  endDate: '2026-01-01T00:00:00.000Z',
  timezone: 'Europe/Berlin',
  catchup: true,
  maxActiveRuns: 3,
  maxActiveTasks: 7,
  params: {
    table: { default: 'orders', type: 'string', description: 'Table to load' },
    limit: { default: 100 },
    filters: { default: { region: ['eu', 'us'], active: true }, type: 'object' },
  },
  taskGroups: { stage: { tooltip: 'Loads the batch' } },
  assetCondition: {
    kind: 'all',
    of: [
      { kind: 'asset', uri: 's3://lake/orders/' },
      { kind: 'any', of: [{ kind: 'asset', uri: 's3://lake/customers/' }, { kind: 'asset', uri: 's3://lake/refresh/' }] },
    ],
  },
  runCallbacks: ['success', 'failure'],
  deadline: { reference: 'fixed_datetime', at: '2025-03-01T08:00:00.000Z', intervalSeconds: -900 },
  tasks: [
    {
      taskId: 'export',
      operator: 'bash',
      upstreamTaskIds: [],
      triggerRule: 'all_success',
      retries: 0,
      retryDelaySeconds: 300,
      retryExponentialBackoff: false,
      maxRetryDelaySeconds: null,
      executionTimeoutSeconds: null,
      executor: null,
      executorConfig: null,
      pool: 'default_pool',
      poolSlots: 1,
      priorityWeight: 1,
      templateFields: { bashCommand: 'echo {{ ds }}', env: { TABLE: '{{ params.table }}' }, cwd: '/srv' },
      args: [],
      doXcomPush: true,
      doc: null,
    },
    {
      taskId: 'extract',
      operator: 'taskflow',
      upstreamTaskIds: ['export'],
      triggerRule: 'all_success',
      retries: 0,
      retryDelaySeconds: 300,
      retryExponentialBackoff: false,
      maxRetryDelaySeconds: null,
      executionTimeoutSeconds: null,
      executor: null,
      executorConfig: null,
      pool: 'default_pool',
      poolSlots: 1,
      priorityWeight: 1,
      templateFields: {},
      args: [],
      doXcomPush: false,
      doc: null,
      isSetup: true,
    },
    {
      taskId: 'load',
      operator: 'taskflow',
      upstreamTaskIds: ['extract'],
      triggerRule: 'all_done_setup_success',
      retries: 4,
      retryDelaySeconds: 45,
      retryExponentialBackoff: true,
      maxRetryDelaySeconds: 900,
      executionTimeoutSeconds: 600,
      executor: 'fargate',
      executorConfig: { cpu: 2048, memory: 8192, spot: true },
      pool: 'warehouse',
      poolSlots: 3,
      priorityWeight: 9,
      templateFields: {},
      args: [
        { kind: 'xcom', taskId: 'extract', key: 'batch' },
        { kind: 'literal', value: { mode: 'append', chunks: [1, 2], note: null } },
      ],
      doXcomPush: true,
      doc: 'Loads the batch into the warehouse.',
      outlets: [{ uri: 's3://warehouse/orders/', extra: { format: 'parquet' } }, { uri: 's3://warehouse/audit/' }],
      weightRule: 'upstream',
      dependsOnPast: true,
      waitForDownstream: true,
      maxActiveTisPerDag: 2,
      taskGroupId: 'stage',
      isTeardown: true,
      onFailureFailDagrun: true,
      deadline: { reference: 'task_started_at', intervalSeconds: 1800 },
    },
    {
      taskId: 'done',
      operator: 'empty',
      upstreamTaskIds: ['load'],
      triggerRule: 'all_done',
      retries: 0,
      retryDelaySeconds: 300,
      retryExponentialBackoff: false,
      maxRetryDelaySeconds: null,
      executionTimeoutSeconds: null,
      executor: null,
      executorConfig: null,
      pool: 'default_pool',
      poolSlots: 1,
      priorityWeight: 1,
      templateFields: {},
      args: [],
      doXcomPush: false,
      doc: null,
    },
  ],
};

describe('serializeDag()', () => {
  it('round-trips every field through JSON without loss', () => {
    const serialized = serializeDag(everyFieldDag(), 'finance/every-field.ts');
    expect(serialized).toEqual(expected);
    const reparsed = parseSerializedDag(JSON.parse(JSON.stringify(serialized)));
    expect(reparsed).toEqual(serialized);
    expect(reparsed).toEqual(expected);
  });

  it('covers every field the serialized form has (add new fields to the round-trip DAG)', () => {
    const serialized = serializeDag(everyFieldDag(), 'finance/every-field.ts');
    expect(Object.keys(serialized).sort()).toEqual(Object.keys(serializedDagSchema.shape).sort());
    // Optional fields (outlets) are left out when empty, so DAGs that do not use them keep their version ids.
    const taskKeys = Object.keys(serializedTaskSchema.shape) as (keyof typeof serializedTaskSchema.shape)[];
    const requiredTaskKeys = taskKeys.filter((key) => !serializedTaskSchema.shape[key].safeParse(undefined).success);
    for (const serializedTask of serialized.tasks) {
      expect(Object.keys(serializedTask).filter((key) => requiredTaskKeys.includes(key as never)).sort()).toEqual([...requiredTaskKeys].sort());
    }
    // A teardown cannot also be a setup: load has every task field but isSetup, which extract carries, and the
    // mapping fields (a task cannot be both expanded and in a mapped group), which serialize-mapping.test.ts covers.
    const elsewhere: string[] = ['isSetup', ...MAPPING_TASK_KEYS];
    expect(Object.keys(serialized.tasks.find((candidate) => candidate.taskId === 'load')!).sort()).toEqual(taskKeys.filter((key) => !elsewhere.includes(key)).sort());
    expect(serialized.tasks.find((candidate) => candidate.taskId === 'extract')!.isSetup).toBe(true);
    const dagDefaults = serializeDag(dag({ dagId: 'defaults' }, () => void empty({ taskId: 'done' })), 'defaults.ts');
    for (const key of Object.keys(serializedDagSchema.shape) as (keyof SerializedDag)[]) {
      if (key === 'formatVersion') continue;
      expect({ key, value: serialized[key] }).not.toEqual({ key, value: dagDefaults[key] });
    }
    // The "load" task sets every task field away from the defaults that "done" has.
    const loadTask = serialized.tasks.find((candidate) => candidate.taskId === 'load')!;
    const defaultTask = dagDefaults.tasks[0]!;
    for (const key of Object.keys(serializedTaskSchema.shape) as (keyof SerializedTask)[]) {
      if (key === 'templateFields') continue; // set by the bash task instead, checked below
      if (key === 'isSetup') continue; // set by extract, checked above
      if (MAPPING_TASK_KEYS.includes(key)) continue; // serialize-mapping.test.ts
      expect({ key, value: loadTask[key] }).not.toEqual({ key, value: defaultTask[key] });
    }
    expect(serialized.tasks.find((candidate) => candidate.operator === 'bash')?.templateFields).not.toEqual({});
  });

  it('orders tasks so that every upstream comes first, keeping definition order otherwise', () => {
    const built = dag({ dagId: 'order' }, () => {
      const end = empty({ taskId: 'end' });
      const b = empty({ taskId: 'b' });
      const a = empty({ taskId: 'a' });
      const start = empty({ taskId: 'start' });
      chain(start, [b, a], end);
      empty({ taskId: 'alone' });
    });
    expect(serializeDag(built, 'order.ts').tasks.map((t) => t.taskId)).toEqual(['start', 'a', 'b', 'end', 'alone']);
  });

  it('sorts upstream ids', () => {
    const built = dag({ dagId: 'sorted' }, () => {
      const join = empty({ taskId: 'join' });
      join.setUpstream([empty({ taskId: 'zeta' }), empty({ taskId: 'alpha' }), empty({ taskId: 'mid' })]);
    });
    const join = serializeDag(built, 'sorted.ts').tasks.find((t) => t.taskId === 'join');
    expect(join?.upstreamTaskIds).toEqual(['alpha', 'mid', 'zeta']);
  });

  it.each([
    [null, { type: 'null' }, null],
    ['@once', { type: 'once' }, '@once'],
    ['0 6 * * *', { type: 'cron_trigger', cron: '0 6 * * *', timezone: 'UTC', intervalSeconds: 0 }, '0 6 * * *'],
    [new CronDataIntervalTimetable('0 6 * * *', 'UTC'), { type: 'cron_data_interval', cron: '0 6 * * *', timezone: 'UTC' }, undefined],
    [new DeltaDataIntervalTimetable(5400), { type: 'delta_data_interval', seconds: 5400 }, undefined],
  ])('serializes the schedule %#', (schedule, timetable, description) => {
    const built = dag({ dagId: 'schedules', schedule, startDate: '2025-01-01' }, () => {});
    const serialized = parseSerializedDag(JSON.parse(JSON.stringify(serializeDag(built, 'schedules.ts'))));
    expect(serialized.timetable).toEqual(timetable);
    expect(serialized.scheduleDescription).toBe(description === undefined ? built.timetable.summary : description);
  });
});
