import { Writable } from 'node:stream';

/** A writable stream that hands every chunk, as text, to `append`: how CLI tests capture stdout and stderr. */
export function textSink(append: (text: string) => void): Writable {
  return new Writable({
    write(chunk, _encoding, callback) {
      append(chunk.toString());
      callback();
    },
  });
}
