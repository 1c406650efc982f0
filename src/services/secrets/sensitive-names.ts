/**
 * Airflow's DEFAULT_SENSITIVE_FIELDS: a variable key or connection extra key that contains one of these
 * (case-insensitive) holds a secret. Deployments add their own (Airflow's `sensitive_var_conn_names`).
 */
export const DEFAULT_SENSITIVE_NAMES: readonly string[] = [
  'access_token',
  'api_key',
  'apikey',
  'authorization',
  'passphrase',
  'passwd',
  'password',
  'private_key',
  'secret',
  'token',
  'keyfile_dict',
  'service_account',
];

export function isSensitiveName(name: string, sensitiveNames: readonly string[] = DEFAULT_SENSITIVE_NAMES): boolean {
  const normalized = name.trim().toLowerCase();
  return sensitiveNames.some((sensitive) => normalized.includes(sensitive.toLowerCase()));
}
