import { whenObject, type ApiVersion, type VersionChange } from '../version-change.ts';

/**
 * The changes between 2026-06-01 and 2026-11-22. Once a newer version exists this file is frozen:
 * new changes go into a new file, never into this one.
 */

const addRunAfterToStartAnswer: VersionChange = {
  name: 'AddRunAfterToStartAnswer',
  description:
    "The start answer's `dagRun` carries `runAfter`, the earliest time the run could start (Airflow 3's " +
    '`run_after`), so tasks can read it without a second request. Older clients never see the field.',
  responses: {
    startTaskInstance: whenObject((body) => {
      const dagRun = body.dagRun;
      if (typeof dagRun === 'object' && dagRun !== null) delete (dagRun as Record<string, unknown>).runAfter;
    }),
  },
};

const renameRetryToRetryable: VersionChange = {
  name: 'RenameRetryToRetryable',
  description:
    'The finish request says whether a failure may be retried with `retryable` (it was `retry`), the name ' +
    'the task runner and the failure signals use. An older client that sends `retry` is read as `retryable`.',
  requests: {
    finishTaskInstance: whenObject((body) => {
      if (!Object.hasOwn(body, 'retry')) return;
      if (!Object.hasOwn(body, 'retryable')) body.retryable = body.retry;
      delete body.retry;
    }),
  },
};

export const v2026_11_22: ApiVersion = { date: '2026-11-22', changes: [addRunAfterToStartAnswer, renameRetryToRetryable] };
