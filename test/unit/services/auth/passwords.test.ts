import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, UNMATCHABLE_HASH, verifyPassword } from '../../../../src/services/auth/passwords.ts';

describe('passwords', () => {
  it('verifies the password it hashed and refuses any other', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('stores no clear text and salts each hash', async () => {
    const first = await hashPassword('same-password');
    const second = await hashPassword('same-password');
    expect(first).not.toContain('same-password');
    expect(first).toMatch(/^scrypt\$16384\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(first).not.toBe(second);
    expect(await verifyPassword('same-password', second)).toBe(true);
  });

  it('matches nothing against a malformed or tampered hash', async () => {
    const hash = await hashPassword('pw-123456');
    const parts = hash.split('$');
    const tamperedKey = [...parts.slice(0, 5), Buffer.alloc(64, 1).toString('base64url')].join('$');
    expect(await verifyPassword('pw-123456', tamperedKey)).toBe(false);
    expect(await verifyPassword('pw-123456', 'pw-123456')).toBe(false);
    expect(await verifyPassword('pw-123456', 'bcrypt$1$2$3$4$5')).toBe(false);
    expect(await verifyPassword('pw-123456', [parts[0], 'x', ...parts.slice(2)].join('$'))).toBe(false);
    expect(await verifyPassword('', UNMATCHABLE_HASH)).toBe(false);
  });

  it('generates passwords from an alphabet without look-alike characters', () => {
    const passwords = Array.from({ length: 20 }, () => generatePassword());
    for (const password of passwords) expect(password).toMatch(/^[a-hk-np-zA-HK-NP-Z2-9]{16}$/);
    expect(new Set(passwords).size).toBe(20);
    expect(generatePassword(24)).toHaveLength(24);
  });
});
