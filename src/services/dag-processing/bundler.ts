import { fileURLToPath } from 'node:url';
import { join, relative, sep } from 'node:path';
import { build, type BuildFailure, type Message, type Plugin } from 'esbuild';
import { failureAt, type ImportFailure } from './import-failure.ts';
import { sha256Hex } from './workspace.ts';

/**
 * The SDK entry that `updraft/sdk` resolves to in every DAG bundle: the running Updraft's own SDK,
 * wherever the DAG file lives. From sources that is src/sdk/index.ts; a compiled build (the Lambda
 * bundle) ships a bundled copy of the SDK as updraft-sdk.mjs next to the module.
 */
export function defaultSdkEntry(moduleUrl: string = import.meta.url): string {
  if (moduleUrl.endsWith('.ts')) return fileURLToPath(new URL('../../sdk/index.ts', moduleUrl));
  return fileURLToPath(new URL('./updraft-sdk.mjs', moduleUrl));
}

export interface DagBundle {
  code: string;
  sha: string;
  /** Files under `dags/` the bundle was built from (the DAG file and the siblings it imports). */
  inputs: string[];
}

export type BundleResult = { ok: true; bundle: DagBundle } | { ok: false; failure: ImportFailure };

export interface BundleOptions {
  /** Workspace root: the bundle's paths are relative to it. */
  root: string;
  fileloc: string;
  sdkEntry: string;
}

/**
 * ESM bundles of CommonJS packages call `require` for node built-ins, which ESM lacks; this gives them one.
 * A banner is raw text, so it must not depend on where the bundle is written.
 */
const REQUIRE_BANNER =
  "import { createRequire as __updraftCreateRequire } from 'node:module';\n" +
  'const require = __updraftCreateRequire(import.meta.url);';

function sdkAlias(sdkEntry: string): Plugin {
  return {
    name: 'updraft-sdk',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^updraft\/sdk$/ }, () => ({ path: sdkEntry }));
    },
  };
}

/** Bundles one DAG file with everything it imports, except node built-ins, into one ESM module. */
export async function bundleDagFile(options: BundleOptions): Promise<BundleResult> {
  const dagsDir = join(options.root, 'dags');
  try {
    const result = await build({
      absWorkingDir: options.root,
      entryPoints: [join(dagsDir, ...options.fileloc.split('/'))],
      outfile: join(options.root, 'bundle.mjs'),
      write: false,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: 'inline',
      // Bundling renames clashing symbols (`const greet = task(function greet ...)` would become greet2),
      // and TaskFlow takes task ids from function names.
      keepNames: true,
      banner: { js: REQUIRE_BANNER },
      plugins: [sdkAlias(options.sdkEntry)],
      metafile: true,
      logLevel: 'silent',
    });
    const output = result.outputFiles.find((file) => file.path.endsWith('.mjs'));
    if (!output) throw new Error('esbuild produced no JavaScript output.');
    const code = output.text;
    const inputs = Object.keys(result.metafile.inputs)
      .map((input) => relative(dagsDir, join(options.root, input)))
      .filter((input) => !input.startsWith('..'))
      .map((input) => input.split(sep).join('/'))
      .sort();
    return { ok: true, bundle: { code, sha: sha256Hex(code), inputs } };
  } catch (error) {
    const first = (error as Partial<BuildFailure>).errors?.[0];
    if (!first) throw error;
    return { ok: false, failure: failureOfMessage(first, options) };
  }
}

function failureOfMessage(message: Message, options: BundleOptions): ImportFailure {
  let text = message.text;
  if (text.startsWith('Could not resolve')) {
    text +=
      '. A DAG file can import node built-ins, "updraft/sdk" and files under dags/ (by relative path); ' +
      'npm packages must be bundled into a file under dags/.';
  }
  const location = message.location;
  if (!location) return { message: text, line: null };
  const fileloc = relative(join(options.root, 'dags'), join(options.root, location.file)).split(sep).join('/');
  return failureAt(text, options.fileloc, { fileloc, line: location.line, column: location.column + 1 });
}
