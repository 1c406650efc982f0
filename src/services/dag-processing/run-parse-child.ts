import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UpdraftError } from '../../core/errors.ts';
import { parseChildArgv, validateParseReport, type ParseChildArgs, type ParseReport } from './parse-protocol.ts';

export interface ParseChildCommand {
  /** Node flags placed before the entry. */
  execArgv: string[];
  entry: string;
}

/**
 * How to start the parse child. From sources (tests, local mode) it is parse-child.ts run through tsx;
 * a compiled build ships parse-child.mjs next to this module and runs it with plain node.
 */
export function parseChildCommand(moduleUrl: string = import.meta.url): ParseChildCommand {
  if (moduleUrl.endsWith('.ts')) {
    const tsxLoader = createRequire(import.meta.url).resolve('tsx');
    return {
      execArgv: ['--import', pathToFileURL(tsxLoader).href],
      entry: fileURLToPath(new URL('./parse-child.ts', moduleUrl)),
    };
  }
  return { execArgv: [], entry: fileURLToPath(new URL('./parse-child.mjs', moduleUrl)) };
}

/** Credentials never reach DAG code: importing a DAG file needs no AWS access. */
function childEnv(): NodeJS.ProcessEnv {
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, ...env } = process.env;
  void AWS_ACCESS_KEY_ID;
  void AWS_SECRET_ACCESS_KEY;
  void AWS_SESSION_TOKEN;
  return env;
}

const OUTPUT_TAIL_CHARS = 4000;

export interface RunParseChildOptions extends ParseChildArgs {
  timeoutSeconds: number;
  command?: ParseChildCommand;
}

export interface ParseChildOutcome {
  report: ParseReport;
  /** The last part of what the DAG file printed, for the processor's log. */
  output: string;
}

/**
 * Evaluates a DAG bundle in a child process and returns its report. The time limit is enforced by
 * killing the child, so an infinite loop at the top of a DAG file costs one parse, not the processor.
 */
export function runParseChild(options: RunParseChildOptions): Promise<ParseChildOutcome> {
  const command = options.command ?? parseChildCommand();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...command.execArgv, '--enable-source-maps', command.entry, ...parseChildArgv(options)],
      { cwd: options.dagsDir, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
    );
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);

    let report: ParseReport | null = null;
    child.on('message', (message) => {
      report ??= validateParseReport(message);
    });

    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutSeconds * 1000);

    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new UpdraftError('dag_parse_spawn_failed', `Could not start the DAG parse process: ${error.message}`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (report) {
        resolve({ report, output });
      } else if (timedOut) {
        resolve(
          failedImport(
            output,
            `DAG file took longer than ${options.timeoutSeconds} s to import; look for an infinite loop or slow ` +
              'work at the top level of the file (move it into a task), or raise the parse timeout.',
          ),
        );
      } else {
        const tail = output.trim().split('\n').slice(-5).join('\n');
        resolve(
          failedImport(
            output,
            `The DAG file ended the import process (${signal ? `signal ${signal}` : `exit code ${code}`}) before ` +
              `its DAGs could be read; a DAG file must not call process.exit.${tail ? ` Last output:\n${tail}` : ''}`,
          ),
        );
      }
    });
  });
}

/** An import that produced no report of its own: the failure is the parent's to describe. */
function failedImport(output: string, message: string): ParseChildOutcome {
  return { output, report: { ok: false, failure: { message, line: null } } };
}
