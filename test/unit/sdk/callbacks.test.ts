import { describe, expect, it } from 'vitest';
import { bash, dag, DagDefinitionError, empty, httpNotifier, task, type TaskCallbackFunction } from 'updraft/sdk';
import { canonicalJson } from '../../../src/core/serialization/canonical-json.ts';
import { serializeDag } from '../../../src/core/serialization/index.ts';

const alert: TaskCallbackFunction = function alert() {};
const audit: TaskCallbackFunction = function audit() {};
const notifier = httpNotifier({ url: 'https://hooks.example.com/services/x' });

describe('task callback options', () => {
  it('holds each event’s callbacks as a list, for every operator', () => {
    const built = dag({ dagId: 'callbacks' }, () => {
      task({ taskId: 'one', onSuccess: alert, onFailure: [alert, notifier] }, () => null)();
      bash({ taskId: 'shell', bashCommand: 'true', onRetry: notifier });
      empty({ taskId: 'join', onExecute: [audit] });
    });
    expect(built.tasks.get('one')?.callbacks).toEqual({ onExecute: [], onSuccess: [alert], onFailure: [alert, notifier], onRetry: [] });
    expect(built.tasks.get('shell')?.callbacks.onRetry).toEqual([notifier]);
    expect(built.tasks.get('join')?.callbacks.onExecute).toEqual([audit]);
  });

  it('takes callbacks from defaultArgs; a task’s own option replaces the default', () => {
    const built = dag({ dagId: 'defaults', defaultArgs: { onFailure: notifier, onSuccess: alert } }, () => {
      empty({ taskId: 'inherits' });
      empty({ taskId: 'overrides', onFailure: audit });
    });
    expect(built.tasks.get('inherits')?.callbacks).toMatchObject({ onFailure: [notifier], onSuccess: [alert] });
    expect(built.tasks.get('overrides')?.callbacks).toMatchObject({ onFailure: [audit], onSuccess: [alert] });
  });

  it('leaves the serialized DAG, and so its version, exactly as without callbacks', () => {
    const build = (withCallbacks: boolean) =>
      dag({ dagId: 'same', defaultArgs: withCallbacks ? { onFailure: notifier } : {} }, () => {
        task({ taskId: 'extract', ...(withCallbacks ? { onSuccess: [alert], onExecute: audit } : {}) }, () => 1)();
        bash({ taskId: 'shell', bashCommand: 'true', ...(withCallbacks ? { onRetry: alert } : {}) });
      });
    const plain = serializeDag(build(false), 'same.ts');
    const withCallbacks = serializeDag(build(true), 'same.ts');
    expect(canonicalJson(withCallbacks)).toBe(canonicalJson(plain));
    expect(JSON.stringify(withCallbacks)).not.toMatch(/callback|onFailure|onSuccess/);
  });

  it('rejects a callback that is neither a function nor a notifier, naming the option', () => {
    expect(() => dag({ dagId: 'bad' }, () => void empty({ taskId: 't', onFailure: [alert, 'page me' as never] }))).toThrow(
      new DagDefinitionError(
        'DAG "bad", task "t": onFailure[1] must be a function (ctx, info) => ... or a notifier such as httpNotifier({ connId: \'slack\' }), got string.',
      ),
    );
    expect(() => dag({ dagId: 'bad_default', defaultArgs: { onSuccess: { send() {} } as never } }, () => {})).toThrow(
      /defaultArgs: onSuccess must be a function .* got an object without a notify method/,
    );
  });
});
