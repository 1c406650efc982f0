import { bash, dag, task, taskGroup } from 'updraft/sdk';

/** The mapping runner test's DAG: mapped tasks, a mapped group, and producers of lists that are not lists. */

const listFiles = task({ taskId: 'list_files' }, () => ['a.csv', 'b.csv']);
const label = task({ taskId: 'label' }, (ctx, prefix: string, file: string) => `${prefix}:${file}#${ctx.mapIndex}`);
const size = task({ taskId: 'size' }, (_ctx, file: string) => file.length);
const sum = task({ taskId: 'sum' }, async (ctx) => {
  const sizes = (await ctx.ti.xcomPull('per_file.size')) as number[];
  return sizes.reduce((a, b) => a + b, 0);
});
const joined = task({ taskId: 'joined' }, () => 'a.csv,b.csv');
const silent = task({ taskId: 'silent' }, () => undefined);
const pusher = task({ taskId: 'pusher' }, async (ctx) => {
  await ctx.ti.xcomPush('files', (ctx.conf.files as unknown) ?? 'a.csv');
  return 'pushed';
});
const use = task({ taskId: 'use' }, (_ctx, item: unknown) => item);

export const mapping = dag({ dagId: 'mapping_runner' }, () => {
  const files = listFiles();
  label.partial('file').expand(files);
  bash.partial({ taskId: 'echo', bashCommand: 'echo "$FILE {{ ti.map_index }}"' }).expand({ env: [{ FILE: 'x' }, { FILE: 'y' }] });
  const group = taskGroup.expand({ groupId: 'per_file' }, files, (file) => {
    size(file);
  });
  group.setDownstream(sum());
  // Their types say they return no list; a DAG file in plain JavaScript would not be stopped.
  use.expand(joined() as never);
  use.expand(silent() as never);
  use.expand(pusher().output<string[]>('files'));
});
