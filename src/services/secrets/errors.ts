import { UpdraftError } from '../../core/errors.ts';

function searchedList(searched: readonly string[]): string {
  return searched.length > 0 ? searched.join('; ') : 'no secrets backend is configured';
}

export class ConnectionNotFoundError extends UpdraftError {
  readonly connId: string;
  readonly searched: readonly string[];

  constructor(connId: string, searched: readonly string[]) {
    super(
      'connection_not_found',
      `Connection "${connId}" was not found. Searched, in order: ${searchedList(searched)}. ` +
        'Define it in one of these places (see docs/secrets.md), or check the connection id for a typo.',
    );
    this.connId = connId;
    this.searched = searched;
  }
}

export class VariableNotFoundError extends UpdraftError {
  readonly key: string;
  readonly searched: readonly string[];

  constructor(key: string, searched: readonly string[]) {
    super(
      'variable_not_found',
      `Variable "${key}" was not found. Searched, in order: ${searchedList(searched)}. ` +
        'Define it in one of these places (see docs/secrets.md), or check the key for a typo.',
    );
    this.key = key;
    this.searched = searched;
  }
}

export class NoWritableSecretsBackendError extends UpdraftError {
  constructor(key: string) {
    super(
      'no_writable_secrets_backend',
      `Variable "${key}" cannot be set: no configured secrets backend stores variables. ` +
        'Add the metastore backend to the secrets backends.',
    );
  }
}
