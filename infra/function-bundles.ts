import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, type BundlingOptions, type ILocalBundling } from 'aws-cdk-lib';
import { Code, Runtime } from 'aws-cdk-lib/aws-lambda';
import { buildSync, type BuildOptions } from 'esbuild';
import type { FunctionSpec } from '../functions/catalog.ts';
import { UpdraftError } from '../src/core/errors.ts';

/** A function could not be bundled: its sources do not build, or a package it ships is missing. */
export class FunctionBundleError extends UpdraftError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('function_bundle', message, options);
  }
}

/** Absolute path of the repository root (sources, node_modules). */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/[\\/]$/, '');

/** The file every function's handler lives in: the handler setting is `index.handler`. */
export const FUNCTION_BUNDLE_FILE = 'index.mjs';
export const FUNCTION_HANDLER = 'index.handler';
/** What the DAG processor finds next to its module at run time (see parseChildCommand and defaultSdkEntry). */
export const PARSE_CHILD_FILE = 'parse-child.mjs';
export const SDK_BUNDLE_FILE = 'updraft-sdk.mjs';

/**
 * ESM bundles of CommonJS packages (the AWS SDK's dependencies) call `require` for node built-ins;
 * ESM has none. The same banner as scripts/build-container.ts; raw text, so it cannot depend on where
 * the bundle is written.
 */
const REQUIRE_BANNER =
  "import { createRequire as __updraftCreateRequire } from 'node:module';\n" +
  'const require = __updraftCreateRequire(import.meta.url);';

/**
 * What the esbuild-wasm package needs at run time: lib/main.js spawns `node bin/esbuild`, which loads
 * wasm_exec_node.js (which requires wasm_exec.js) and esbuild.wasm, all by paths relative to itself.
 */
const ESBUILD_WASM_FILES = ['package.json', 'LICENSE.md', 'lib/main.js', 'bin/esbuild', 'wasm_exec.js', 'wasm_exec_node.js', 'esbuild.wasm'];

function commonOptions(projectRoot: string): BuildOptions {
  return {
    absWorkingDir: projectRoot,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    // Error classes take their `name` from the class, and users see it in logs and API answers.
    keepNames: true,
    banner: { js: REQUIRE_BANNER },
    // Failures are thrown with esbuild's messages in them (buildInto); nothing else is worth printing.
    logLevel: 'silent',
    write: false,
  };
}

/**
 * Builds one file and writes its outputs into `outDir`. esbuild is told the output lives in the project
 * root and the files are then written elsewhere, so source map paths are relative to the repository
 * (src/..., node_modules/...), not to wherever CDK stages the bundle: the same sources give the same
 * bytes in any output directory, which is what makes the OUTPUT asset hash stable.
 */
function buildInto(outDir: string, fileName: string, options: BuildOptions, projectRoot: string): void {
  let result;
  try {
    result = buildSync({ ...options, outfile: join(projectRoot, fileName) });
  } catch (error) {
    const errors = (error as { errors?: { text: string; location?: { file: string; line: number } | null }[] }).errors;
    const detail = errors?.length
      ? errors
          .slice(0, 5)
          .map((e) => (e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text))
          .join('; ')
      : String(error);
    throw new FunctionBundleError(
      `Could not bundle ${String(options.entryPoints)} into ${fileName}: ${detail}. Fix the source (run \`npm run typecheck\`) ` +
        'and make sure `npm install` has been run in the repository root.',
      { cause: error },
    );
  }
  for (const file of result.outputFiles ?? []) {
    const target = join(outDir, file.path.slice(projectRoot.length + 1));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.contents);
  }
}

/**
 * Bundles one function into `outDir` (emptied first): `index.mjs`, ESM, minified, for Node 24, with a
 * linked source map (`index.mjs.map`, without the sources' text). The map is never loaded unless the
 * function runs with `NODE_OPTIONS=--enable-source-maps`; shipping it costs a few hundred kB of asset and
 * nothing at cold start, and it is what turns a minified stack trace back into file:line when needed.
 * The DAG processor also gets its parse child, a readable copy of the SDK that DAG files import, and
 * esbuild as WebAssembly (the deploying machine's native esbuild binary is the wrong platform for an
 * ARM64 Lambda). Synchronous, because CDK's local bundling is.
 */
export function bundleFunction(spec: FunctionSpec, outDir: string, projectRoot: string = PROJECT_ROOT): void {
  const root = resolve(projectRoot);
  const out = resolve(outDir);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const minified: BuildOptions = { ...commonOptions(root), minify: true, sourcemap: 'linked', sourcesContent: false };

  if (!spec.bundlesDagParsing) {
    buildInto(out, FUNCTION_BUNDLE_FILE, { ...minified, entryPoints: [join(root, spec.entry)] }, root);
    return;
  }
  // The DAG processor calls esbuild's `build` at parse time; the WebAssembly build is the same API.
  const withWasmEsbuild: BuildOptions = { ...minified, alias: { esbuild: 'esbuild-wasm' }, external: ['esbuild-wasm'] };
  buildInto(out, FUNCTION_BUNDLE_FILE, { ...withWasmEsbuild, entryPoints: [join(root, spec.entry)] }, root);
  buildInto(
    out,
    PARSE_CHILD_FILE,
    { ...withWasmEsbuild, entryPoints: [join(root, 'src', 'services', 'dag-processing', 'parse-child.ts')] },
    root,
  );
  // Inlined into every DAG bundle: kept readable (not minified, no map) so a DAG's stack trace through
  // SDK code shows real names and lines; no banner, since the DAG bundle brings its own `require`.
  buildInto(
    out,
    SDK_BUNDLE_FILE,
    { ...commonOptions(root), banner: {}, entryPoints: [join(root, 'src', 'sdk', 'index.ts')] },
    root,
  );
  copyEsbuildWasm(root, out);
}

function copyEsbuildWasm(projectRoot: string, outDir: string): void {
  const source = join(projectRoot, 'node_modules', 'esbuild-wasm');
  const target = join(outDir, 'node_modules', 'esbuild-wasm');
  for (const file of ESBUILD_WASM_FILES) {
    try {
      cpSync(join(source, file), join(target, file));
    } catch (error) {
      throw new FunctionBundleError(
        `Could not copy ${file} of esbuild-wasm from ${source} into the DAG processor bundle: ${(error as Error).message}. ` +
          'Run `npm install` (esbuild-wasm is a dependency) and synthesize again.',
        { cause: error },
      );
    }
  }
}

/**
 * CDK's local bundling for one function. Its `entry` is a plain field on purpose: CDK keys its
 * in-process asset cache on the JSON of the bundling options (functions drop out of JSON), so two
 * functions must differ there or they would share one bundle.
 */
class EsbuildLocalBundling implements ILocalBundling {
  readonly entry: string;
  readonly #spec: FunctionSpec;
  readonly #projectRoot: string;

  constructor(spec: FunctionSpec, projectRoot: string) {
    this.entry = spec.entry;
    this.#spec = spec;
    this.#projectRoot = projectRoot;
  }

  tryBundle(outputDir: string): boolean {
    bundleFunction(this.#spec, outputDir, this.#projectRoot);
    return true;
  }
}

/**
 * The Lambda code of one function, bundled on this machine by esbuild (no Docker). The asset's source
 * is the repository root, which CDK never reads itself here: with `AssetHashType.OUTPUT` a bundled asset
 * is hashed by its output, and a stack whose bundling is skipped (`aws:cdk:bundling-stacks`) gets a
 * hash from its construct path, so nothing walks node_modules. The Docker image only fills the
 * required field: local bundling always succeeds or throws, so it is never pulled.
 */
export function functionCode(spec: FunctionSpec, projectRoot: string = PROJECT_ROOT): Code {
  const bundling: BundlingOptions = {
    image: Runtime.NODEJS_24_X.bundlingImage,
    local: new EsbuildLocalBundling(spec, resolve(projectRoot)),
  };
  return Code.fromAsset(resolve(projectRoot), { bundling, assetHashType: AssetHashType.OUTPUT });
}
