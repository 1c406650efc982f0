import { describe, expect, it } from 'vitest';
import { objectsToCompare, planDagSync, type LocalDagFile, type RemoteDagObject } from '../../../src/cli/commands/dags-deploy.ts';

const file = (path: string, md5: string, size = 10): LocalDagFile => ({ path, size, md5 });
const object = (path: string, md5?: string, size = 10): RemoteDagObject => ({ path, size, md5 });

describe('planDagSync', () => {
  it('adds every file to an empty prefix', () => {
    expect(planDagSync([file('b.ts', 'b'), file('a.ts', 'a'), file('lib/util.ts', 'u')], [])).toEqual({
      added: ['a.ts', 'b.ts', 'lib/util.ts'],
      changed: [],
      deleted: [],
      remaining: [],
      unchanged: [],
    });
  });

  it('leaves files whose size and content match, and changes the others', () => {
    const plan = planDagSync(
      [file('same.ts', 'x'), file('edited.ts', 'new'), file('grown.ts', 'g', 12)],
      [object('same.ts', 'x'), object('edited.ts', 'old'), object('grown.ts', undefined, 10)],
    );
    expect(plan.unchanged).toEqual(['same.ts']);
    expect(plan.changed).toEqual(['edited.ts', 'grown.ts']);
    expect(plan.added).toEqual([]);
  });

  it('counts an object of the same size whose content was not read as changed, never as unchanged', () => {
    expect(planDagSync([file('a.ts', 'a')], [object('a.ts')]).changed).toEqual(['a.ts']);
  });

  it('keeps objects the folder no longer has unless asked to delete them', () => {
    const local = [file('kept.ts', 'k')];
    const remote = [object('kept.ts', 'k'), object('old.ts', 'o'), object('lib/gone.ts', 'g')];
    expect(planDagSync(local, remote)).toMatchObject({ deleted: [], remaining: ['lib/gone.ts', 'old.ts'], unchanged: ['kept.ts'] });
    expect(planDagSync(local, remote, { delete: true })).toMatchObject({ deleted: ['lib/gone.ts', 'old.ts'], remaining: [] });
  });

  it('plans nothing for an empty folder and an empty prefix', () => {
    expect(planDagSync([], [], { delete: true })).toEqual({ added: [], changed: [], deleted: [], remaining: [], unchanged: [] });
  });
});

describe('objectsToCompare', () => {
  it('reads only objects that exist locally with the same size and no known MD5', () => {
    const local = [file('same-size.ts', 'a', 5), file('other-size.ts', 'b', 5), file('known.ts', 'c', 5), file('new.ts', 'd', 5)];
    const remote = [object('same-size.ts', undefined, 5), object('other-size.ts', undefined, 6), object('known.ts', 'c', 5), object('only-remote.ts', undefined, 5)];
    expect(objectsToCompare(local, remote)).toEqual(['same-size.ts']);
  });
});
