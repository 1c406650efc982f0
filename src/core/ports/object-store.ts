/** S3 in AWS and locally (fauxqs); keys are relative to the Updraft bucket. */
export interface ObjectStore {
  put(key: string, body: string | Uint8Array, contentType?: string): Promise<void>;
  /** null when the key does not exist. */
  get(key: string): Promise<Uint8Array | null>;
  getText(key: string): Promise<string | null>;
  delete(key: string): Promise<void>;
  /** Every key under the prefix, with its size and last modification. */
  list(prefix: string): Promise<Array<{ key: string; size: number; lastModified: Date }>>;
}
