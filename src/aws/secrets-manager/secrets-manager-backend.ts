import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from '../../core/errors.ts';
import { parseConnectionValue, type Connection } from '../../core/model/connection.ts';
import { systemClock, type Clock } from '../../core/ports/clock.ts';
import type { SecretsBackend } from '../../core/ports/secrets.ts';
import { SecretAccessDeniedError, SecretDecryptionError, SecretsManagerError, SecretsThrottledError } from './errors.ts';
import { SecretCache } from './secret-cache.ts';

export interface SecretsManagerBackendOptions {
  client: SecretsManagerClient;
  /** `null` turns connection lookups in Secrets Manager off. */
  connectionsPrefix?: string | null;
  /** `null` turns variable lookups in Secrets Manager off. */
  variablesPrefix?: string | null;
  /** How long a value is reused before Secrets Manager is asked again; 0 turns the cache off. */
  cacheTtlSeconds?: number;
  /** How long "no such secret" is remembered: short, so a newly created secret is seen soon. */
  notFoundCacheTtlSeconds?: number;
  clock?: Clock;
  /** Attempts for a throttled or failing call, with exponential backoff and jitter between them. */
  maxAttempts?: number;
  baseDelayMs?: number;
  /** Waits between attempts; tests pass one that does not sleep. */
  sleep?: (ms: number) => Promise<void>;
  /** Between 0 and 1; tests pass a fixed one. */
  random?: () => number;
}

const RETRYABLE = new Set(['ThrottlingException', 'TooManyRequestsException', 'InternalServiceError', 'InternalServiceErrorException']);
const MAX_DELAY_MS = 5_000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Connections and variables in AWS Secrets Manager, named `<prefix>/<id>` (Airflow's
 * SecretsManagerBackend with `updraft/...` prefixes). A connection secret holds a URI or Airflow's JSON
 * form; a variable secret holds the value. Values are cached for `cacheTtlSeconds` so a busy DAG does
 * not pay one call per task.
 */
export class SecretsManagerBackend implements SecretsBackend {
  readonly name = 'AWS Secrets Manager';
  private readonly client: SecretsManagerClient;
  private readonly connectionsPrefix: string | null;
  private readonly variablesPrefix: string | null;
  private readonly cache: SecretCache;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(options: SecretsManagerBackendOptions) {
    const ttl = options.cacheTtlSeconds ?? 300;
    const notFoundTtl = Math.min(options.notFoundCacheTtlSeconds ?? 30, ttl);
    if (!(ttl >= 0) || !(notFoundTtl >= 0)) {
      throw new ConfigError(`Secrets Manager cache TTLs must be 0 or more seconds (got ${ttl} and ${notFoundTtl}).`);
    }
    this.client = options.client;
    this.connectionsPrefix = normalizePrefix(options.connectionsPrefix === undefined ? 'updraft/connections' : options.connectionsPrefix);
    this.variablesPrefix = normalizePrefix(options.variablesPrefix === undefined ? 'updraft/variables' : options.variablesPrefix);
    this.cache = new SecretCache(options.clock ?? systemClock, ttl * 1000, notFoundTtl * 1000);
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
  }

  async getConnection(connId: string): Promise<Connection | null> {
    if (this.connectionsPrefix === null) return null;
    const value = await this.read(`${this.connectionsPrefix}/${connId}`);
    return value ? parseConnectionValue(connId, value) : null;
  }

  getVariable(key: string): Promise<string | null> {
    if (this.variablesPrefix === null) return Promise.resolve(null);
    return this.read(`${this.variablesPrefix}/${key}`);
  }

  describeLookup(kind: 'connection' | 'variable', id: string): string {
    const prefix = kind === 'connection' ? this.connectionsPrefix : this.variablesPrefix;
    return prefix === null ? `AWS Secrets Manager (${kind} lookups off)` : `AWS Secrets Manager secret ${prefix}/${id}`;
  }

  /** Any secret by id or ARN (null when it does not exist), with this backend's retries and cache. */
  getSecretString(secretId: string): Promise<string | null> {
    return this.read(secretId);
  }

  /** Forgets every cached value (e.g. after rotating a secret in a long-lived process). */
  clearCache(): void {
    this.cache.clear();
  }

  private read(secretId: string): Promise<string | null> {
    return this.cache.get(secretId, () => this.fetch(secretId));
  }

  private async fetch(secretId: string): Promise<string | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }));
        if (response.SecretString !== undefined) return response.SecretString;
        if (response.SecretBinary !== undefined) return new TextDecoder().decode(response.SecretBinary);
        return null;
      } catch (error) {
        const name = (error as { name?: string } | null)?.name ?? '';
        if (name === 'ResourceNotFoundException') return null;
        if (name === 'DecryptionFailure') throw new SecretDecryptionError(secretId, { cause: error });
        if (name === 'AccessDeniedException') throw new SecretAccessDeniedError(secretId, { cause: error });
        if (!RETRYABLE.has(name)) {
          throw new SecretsManagerError(secretId, `${name || 'error'}: ${(error as Error).message}`, { cause: error });
        }
        if (attempt >= this.maxAttempts) {
          if (name === 'ThrottlingException' || name === 'TooManyRequestsException') {
            throw new SecretsThrottledError(secretId, attempt, { cause: error });
          }
          throw new SecretsManagerError(secretId, `${name} after ${attempt} attempts; retry later`, { cause: error });
        }
        // Jitter keeps many throttled tasks from retrying in step.
        const cap = Math.min(MAX_DELAY_MS, this.baseDelayMs * 2 ** (attempt - 1));
        await this.sleep(Math.round(cap * (0.5 + this.random() / 2)));
      }
    }
  }
}

function normalizePrefix(prefix: string | null): string | null {
  if (prefix === null || prefix === '') return null;
  return prefix.replace(/\/+$/, '');
}
