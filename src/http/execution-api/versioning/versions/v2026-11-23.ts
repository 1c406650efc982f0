import { whenObject, type ApiVersion, type VersionChange } from '../version-change.ts';

/**
 * The changes between 2026-11-22 and 2026-11-23. Once a newer version exists this file is frozen:
 * new changes go into a new file, never into this one.
 */

const changes: VersionChange[] = [];

// Sensors (reschedule mode): the timeout counts from the try's first poke, across its reschedules.
changes.push({
  name: 'AddFirstRescheduleDateToStartAnswer',
  description:
    "The start answer's `taskInstance` carries `firstRescheduleDate`, when the try first poked before it was rescheduled " +
    "(null on its first run), so a sensor's timeout counts from the first poke. Older clients never see the field.",
  responses: {
    startTaskInstance: whenObject((body) => {
      const taskInstance = body.taskInstance;
      if (typeof taskInstance === 'object' && taskInstance !== null) delete (taskInstance as Record<string, unknown>).firstRescheduleDate;
    }),
  },
});

// Dynamic task mapping: a mapped instance's elements come with its start answer.
changes.push({
  name: 'AddMappedInputsToStartAnswer',
  description:
    "The start answer carries `mappedInputs` for an instance of a mapped task: the elements of the lists it maps over at " +
    'its map index, by TaskFlow argument position and by template field name. Older clients never see the field.',
  responses: {
    startTaskInstance: whenObject((body) => {
      delete body.mappedInputs;
    }),
  },
});

export const v2026_11_23: ApiVersion = { date: '2026-11-23', changes };
