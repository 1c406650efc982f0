/**
 * Runs tasks one after another. The processor's workspace is one folder on disk, so two parses in
 * the same process must not refresh it under each other.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
