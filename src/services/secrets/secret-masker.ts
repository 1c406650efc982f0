import type { Connection } from '../../core/model/connection.ts';
import { DEFAULT_SENSITIVE_NAMES, isSensitiveName } from './sensitive-names.ts';

export const MASK = '***';

/** Airflow's default `min_length_masked_secret`: shorter values would mask ordinary words and numbers. */
export const DEFAULT_MIN_SECRET_LENGTH = 5;

/** Words so common in our own log lines that masking them would make every log unreadable. */
const NEVER_MASKED = new Set(['airflow', 'updraft']);

export interface SecretMaskerOptions {
  minLength?: number;
  /** Added to Airflow's default sensitive names. */
  extraSensitiveNames?: readonly string[];
}

/**
 * Replaces registered secret values with `***` wherever they occur in text (Airflow's SecretsMasker).
 * The task runner registers a task's connection passwords and sensitive variables, then passes every log
 * line through `mask`. A value is also masked in its percent-encoded form, as it appears inside URIs.
 */
export class SecretMasker {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | null = null;
  private readonly minLength: number;
  private readonly sensitiveNames: readonly string[];

  constructor(options: SecretMaskerOptions = {}) {
    this.minLength = options.minLength ?? DEFAULT_MIN_SECRET_LENGTH;
    this.sensitiveNames = [...DEFAULT_SENSITIVE_NAMES, ...(options.extraSensitiveNames ?? [])];
  }

  /**
   * Registers a value to mask. With a `name`, the value is masked only when the name looks sensitive.
   * Objects and arrays are walked: an object's keys act as names for their values.
   */
  add(secret: unknown, name?: string): void {
    if (secret === null || secret === undefined) return;
    if (name !== undefined && this.isSensitive(name)) {
      this.addAll(secret);
      return;
    }
    if (typeof secret === 'string') {
      if (name === undefined) this.addValue(secret);
    } else if (Array.isArray(secret)) {
      for (const item of secret) this.add(item, name);
    } else if (typeof secret === 'object') {
      for (const [key, value] of Object.entries(secret)) this.add(value, key);
    }
  }

  /** Under a sensitive name every nested value is secret, whatever its own key. */
  private addAll(secret: unknown): void {
    if (secret === null || secret === undefined) return;
    if (Array.isArray(secret)) for (const item of secret) this.addAll(item);
    else if (typeof secret === 'object') for (const value of Object.values(secret)) this.addAll(value);
    else this.addValue(String(secret));
  }

  private addValue(secret: string): void {
    let changed = false;
    for (const variant of new Set([secret, encodeURIComponent(secret)])) {
      if (variant.length < this.minLength || NEVER_MASKED.has(variant.toLowerCase()) || this.secrets.has(variant)) continue;
      this.secrets.add(variant);
      changed = true;
    }
    if (changed) this.pattern = null;
  }

  /** A connection's password, and the values of its extra under sensitive keys. */
  addConnection(connection: Connection): void {
    if (connection.password) this.add(connection.password);
    this.add(connection.extra);
  }

  /** A variable's value, when its key looks sensitive (Airflow masks only those). */
  addVariable(key: string, value: string): void {
    this.add(value, key);
  }

  isSensitive(name: string): boolean {
    return isSensitiveName(name, this.sensitiveNames);
  }

  mask(text: string): string {
    if (this.secrets.size === 0) return text;
    this.pattern ??= new RegExp(
      // Longest first, so a secret that contains another is replaced whole.
      [...this.secrets].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'),
      'g',
    );
    return text.replace(this.pattern, MASK);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\\/-]/g, '\\$&');
}
