import { bash, chain, dag, empty, pythonTask, task, taskGroup, type TaskContext } from 'updraft/sdk';

const listFiles = task(function listFiles(): string[] {
  return ['a.csv', 'b.csv'];
});
const parse = task(function parse(ctx: TaskContext, file: string) {
  return file.length;
});
const add = task(function add(ctx: TaskContext, a: number, b: number) {
  return a + b;
});
const store = task(function store(ctx: TaskContext, rows: number, file: string) {
  return `${file}:${rows}`;
});

/** A DAG that uses every mapping field: mapped args, mapped fields, a mapped group with a nested plain group. */
export function mappedDag() {
  return dag({ dagId: 'mapped' }, () => {
    const files = listFiles();
    const lengths = parse.expand(files);
    add.partial(1).expand(lengths);
    bash.partial({ taskId: 'run', env: { TZ: 'UTC' } }).expand({ bashCommand: ['echo a', 'echo b'], cwd: files });
    pythonTask.partial({ taskId: 'score', script: 'python/score.py' }).expand([]);
    const group = taskGroup.expand({ groupId: 'per_file', tooltip: 'One file' }, files, (file) => {
      const rows = parse(file);
      taskGroup({ groupId: 'save' }, () => void store(rows, file));
    });
    taskGroup.expand({ groupId: 'per_literal' }, [{ day: 1 }, { day: 2 }], () => void empty({ taskId: 'noop' }));
    chain(group, empty({ taskId: 'done' }));
  });
}
