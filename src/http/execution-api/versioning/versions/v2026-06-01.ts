import type { ApiVersion } from '../version-change.ts';

/** The first released version. Frozen: it has nothing older to translate to. */
export const v2026_06_01: ApiVersion = { date: '2026-06-01', changes: [] };
