// A JSON import, not a file read: esbuild inlines it when it bundles a Lambda entry into one file.
import packageJson from '../../../package.json' with { type: 'json' };

/** Updraft's version, from package.json; what `GET /api/v2/version` reports. */
export const UPDRAFT_VERSION: string = packageJson.version;
