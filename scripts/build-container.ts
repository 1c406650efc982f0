/**
 * Builds the task-runner container's application: one ESM bundle of functions/container-worker.ts and
 * the Python task client next to it. The Dockerfile copies the output directory to /app as it is.
 *
 *   node --import tsx scripts/build-container.ts [outDir]     (default dist/container)
 */
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export const CONTAINER_BUNDLE_NAME = 'container-worker.mjs';

/**
 * ESM bundles of CommonJS packages (the AWS SDK's dependencies) call `require` for node built-ins;
 * ESM has none. Raw text, so it must not depend on where the bundle is written.
 */
const REQUIRE_BANNER =
  "import { createRequire as __updraftCreateRequire } from 'node:module';\n" +
  'const require = __updraftCreateRequire(import.meta.url);';

export interface ContainerBuild {
  bundle: string;
  /** Every file written, relative to the output directory. */
  files: string[];
}

export async function buildContainerBundle(outDir: string = join(ROOT, 'dist', 'container')): Promise<ContainerBuild> {
  const out = resolve(outDir);
  await rm(out, { recursive: true, force: true });
  await mkdir(out, { recursive: true });
  const bundle = join(out, CONTAINER_BUNDLE_NAME);
  await build({
    absWorkingDir: ROOT,
    entryPoints: [join(ROOT, 'functions', 'container-worker.ts')],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    // Error classes take their `name` from the class (UpdraftError), and task logs print it: keep them.
    keepNames: true,
    // The runner turns source maps on for DAG bundles; this map makes the runner's own traces readable too.
    sourcemap: 'linked',
    banner: { js: REQUIRE_BANNER },
    logLevel: 'warning',
  });
  const files = [CONTAINER_BUNDLE_NAME, `${CONTAINER_BUNDLE_NAME}.map`];
  // Python tasks run in this image too: the client goes where functions/container-worker.ts looks for it.
  const pythonSource = join(ROOT, 'sdk', 'python');
  const pythonTarget = join(out, 'sdk', 'python');
  await mkdir(pythonTarget, { recursive: true });
  for (const entry of await readdir(pythonSource, { withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.py')) continue;
    await copyFile(join(pythonSource, entry.name), join(pythonTarget, entry.name));
    files.push(`sdk/python/${entry.name}`);
  }
  return { bundle, files };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await buildContainerBundle(process.argv[2]);
  process.stdout.write(`Built ${result.bundle} (${result.files.length} files)\n`);
}
