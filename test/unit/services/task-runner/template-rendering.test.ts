import { describe, expect, it } from 'vitest';
import type { AttemptInfo } from '../../../../src/services/task-runner/attempt-info.ts';
import { TemplateRenderError } from '../../../../src/services/task-runner/errors.ts';
import {
  renderTemplateFields,
  templateContext,
  xcomReferencesIn,
} from '../../../../src/services/task-runner/template-rendering.ts';
import { XComAccess } from '../../../../src/services/task-runner/xcom-access.ts';

const info: AttemptInfo = {
  ti: { dagId: 'etl', runId: 'scheduled__2024-03-05T00:00:00+00:00', taskId: 'load', mapIndex: -1, tryNumber: 2 },
  maxTries: 3,
  logicalDate: new Date('2024-03-05T00:00:00Z'),
  dataIntervalStart: new Date('2024-03-04T00:00:00Z'),
  dataIntervalEnd: new Date('2024-03-05T00:00:00Z'),
  runAfter: new Date('2024-03-05T00:00:00Z'),
  runType: 'scheduled',
  conf: { region: 'eu' },
  params: { table: 'orders', limit: 10 },
};

function xcoms(upstream: Record<string, unknown> = {}, remote: Record<string, unknown> = {}) {
  const requested: string[] = [];
  const client = {
    async getXCom(ti: { taskId: string }, key: string) {
      requested.push(`${ti.taskId}/${key}`);
      const id = `${ti.taskId}/${key}`;
      return id in remote ? { key, value: remote[id] } : null;
    },
    async setXCom() {},
  };
  return { access: new XComAccess(client, info.ti, upstream), requested };
}

function render(fields: Record<string, unknown>, access = xcoms().access) {
  return renderTemplateFields(fields, templateContext(info, access));
}

describe('template rendering', () => {
  it("renders Airflow's date variables in UTC", () => {
    const out = render({
      cmd: '{{ ds }} {{ ds_nodash }} {{ ts }} {{ ts_nodash }} {{ data_interval_start }} {{ data_interval_end }} {{ logical_date }}',
    });
    expect(out.cmd).toBe(
      '2024-03-05 20240305 2024-03-05T00:00:00+00:00 20240305T000000 2024-03-04T00:00:00+00:00 ' +
        '2024-03-05T00:00:00+00:00 2024-03-05T00:00:00+00:00',
    );
  });

  it('renders params, conf, dag_run and ti fields', () => {
    const out = render({
      cmd: '{{ params.table }}:{{ params.limit }} {{ conf.region }} {{ dag_run.conf.region }} {{ run_id }} {{ ti.try_number }} {{ task_id }} {{ dag_id }}',
    });
    expect(out.cmd).toBe('orders:10 eu eu scheduled__2024-03-05T00:00:00+00:00 2 load etl');
  });

  it('renders strings nested in objects and arrays and leaves other values alone', () => {
    const out = render({ env: { TABLE: '{{ params.table }}', N: 3 }, list: ['{{ ds }}', true], cwd: null });
    expect(out).toEqual({ env: { TABLE: 'orders', N: 3 }, list: ['2024-03-05', true], cwd: null });
  });

  it('does not escape HTML characters (shell commands need them verbatim)', () => {
    expect(render({ cmd: 'echo "{{ params.table }}" > out && cat <in' }).cmd).toBe('echo "orders" > out && cat <in');
  });

  it('serves xcom_pull from the upstream values of the start answer', () => {
    const { access, requested } = xcoms({ extract: 42 });
    expect(render({ cmd: 'n={{ ti.xcom_pull("extract") }}' }, access).cmd).toBe('n=42');
    expect(requested).toEqual([]);
  });

  it('fails with the field name when a variable is undefined', () => {
    expect(() => render({ bashCommand: 'echo {{ params.nope }}' })).toThrow(TemplateRenderError);
    expect(() => render({ bashCommand: 'echo {{ params.nope }}' })).toThrow(/template field "bashCommand"/);
  });

  it('refuses an xcom_pull whose task id was not prefetched', () => {
    expect(() => render({ cmd: '{{ ti.xcom_pull(params.table) }}' })).toThrow(/string literals/);
  });

  it('prefetches literal xcom_pull references, including keyword arguments and lists', async () => {
    const { access, requested } = xcoms({ extract: 'e' }, { 'other/return_value': 'o', 'stats/rows': 7, 'a/return_value': 1 });
    const fields = {
      cmd: "{{ ti.xcom_pull('extract') }} {{ ti.xcom_pull('other') }} {{ task_instance.xcom_pull(task_ids='stats', key='rows') }} {{ ti.xcom_pull(['a', 'b']) | dump }}",
    };
    const refs = xcomReferencesIn(fields);
    expect(refs).toEqual([
      { taskId: 'extract', key: 'return_value' },
      { taskId: 'other', key: 'return_value' },
      { taskId: 'stats', key: 'rows' },
      { taskId: 'a', key: 'return_value' },
      { taskId: 'b', key: 'return_value' },
    ]);
    await access.prefetch(refs);
    expect(requested.sort()).toEqual(['a/return_value', 'b/return_value', 'other/return_value', 'stats/rows']);
    expect(render(fields, access).cmd).toBe('e o 7 [1,null]');
  });
});
