import { VersionBundle } from './version-bundle.ts';
import { v2026_06_01 } from './versions/v2026-06-01.ts';
import { v2026_11_22 } from './versions/v2026-11-22.ts';
import { v2026_11_23 } from './versions/v2026-11-23.ts';

/** The header every request names its version in; answers carry the version they are written in. */
export const API_VERSION_HEADER = 'Updraft-Api-Version';

/** Newest first. Adding a version: see docs/execution-api.md, "Adding a version change". */
export const executionApiVersions = new VersionBundle([v2026_11_23, v2026_11_22, v2026_06_01], API_VERSION_HEADER);

/** The version the handlers and the schemas speak. */
export const HEAD_API_VERSION = executionApiVersions.head;
/** The oldest version a client may still speak. */
export const OLDEST_API_VERSION = executionApiVersions.oldest;
