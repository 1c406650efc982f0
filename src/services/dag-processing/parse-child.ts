import { pathToFileURL } from 'node:url';
import { serializeDag } from '../../core/serialization/index.ts';
import type { SerializedDag } from '../../core/model/serialized-dag.ts';
import { isDag } from '../../sdk/index.ts';
import { describeThrown } from './locate-error.ts';
import type { ParseReport } from './parse-protocol.ts';

/**
 * Child process entry: imports one DAG bundle, serializes every DAG it exports, and sends one
 * ParseReport to the parent. It runs user code, so it is a separate process the parent can kill.
 * Argv: <bundle path> <dags folder> <fileloc>.
 */

const [bundlePath = '', dagsDir = '', fileloc = ''] = process.argv.slice(2);

let reported = false;

function report(message: ParseReport): void {
  if (reported) return;
  reported = true;
  if (process.send) {
    // Exit once the message is out: timers or sockets the DAG file left open must not keep us alive.
    process.send(message, () => process.exit(0));
  } else {
    process.stdout.write(`${JSON.stringify(message)}\n`, () => process.exit(0));
  }
}

function fail(thrown: unknown): void {
  report({ ok: false, failure: describeThrown(thrown, dagsDir, fileloc) });
}

process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

async function collect(): Promise<ParseReport> {
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(bundlePath).href)) as Record<string, unknown>;
  } catch (error) {
    return { ok: false, failure: describeThrown(error, dagsDir, fileloc) };
  }
  const byId = new Map<string, { dag: unknown; exportName: string }>();
  const dags: SerializedDag[] = [];
  for (const [exportName, value] of Object.entries(exports)) {
    if (!isDag(value)) continue;
    const previous = byId.get(value.dagId);
    if (previous?.dag === value) continue;
    if (previous) {
      return {
        ok: false,
        failure: {
          message:
            `DAG id "${value.dagId}" is defined twice in this file (exports "${previous.exportName}" and ` +
            `"${exportName}"). Give each DAG its own dagId.`,
          line: null,
        },
      };
    }
    byId.set(value.dagId, { dag: value, exportName });
    try {
      dags.push(serializeDag(value, fileloc));
    } catch (error) {
      return { ok: false, failure: describeThrown(error, dagsDir, fileloc) };
    }
  }
  dags.sort((a, b) => (a.dagId < b.dagId ? -1 : a.dagId > b.dagId ? 1 : 0));
  return { ok: true, dags };
}

collect().then(report, fail);
