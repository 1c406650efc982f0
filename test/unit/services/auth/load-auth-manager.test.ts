import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UpdraftConfig } from '../../../../src/core/config/updraft-config.ts';
import { ConfigError } from '../../../../src/core/errors.ts';
import { ManualClock } from '../../../../src/core/ports/clock.ts';
import { loadAuthManager } from '../../../../src/services/auth/load-auth-manager.ts';
import { hashPassword } from '../../../../src/services/auth/passwords.ts';
import { SimpleAuthManager } from '../../../../src/services/auth/simple-auth-manager.ts';
import { ApiKeyAuthManager } from './fixtures/custom-auth-manager.ts';
import { MemoryUserStore } from './memory-user-store.ts';

const here = dirname(fileURLToPath(import.meta.url));
const SECRET = 'loader-test-secret-of-at-least-32-characters';
const config = (env: Record<string, string>) => UpdraftConfig.resolve({ env });
const deps = () => ({ users: new MemoryUserStore(), clock: new ManualClock('2026-03-01T10:00:00Z'), baseDir: here });

describe('loadAuthManager', () => {
  it('builds the simple auth manager by default, with the configured secret and lifetime', async () => {
    const d = deps();
    await d.users.createUser({ username: 'ann', role: 'viewer', passwordHash: await hashPassword('ann-password'), dagIds: null, dagTags: null, createdAt: new Date() });
    const manager = await loadAuthManager(config({ UPDRAFT__API_AUTH__JWT_SECRET: SECRET, UPDRAFT__API_AUTH__JWT_EXPIRATION_TIME: '30' }), d);
    expect(manager).toBeInstanceOf(SimpleAuthManager);
    const token = await manager.generateToken(await manager.authenticate({ username: 'ann', password: 'ann-password' }));
    expect((await manager.getUserFromToken(token)).name).toBe('ann');
    d.clock.advanceSeconds(30);
    await expect(manager.getUserFromToken(token)).rejects.toThrow(/expired/);
  });

  it('takes the secret from the deps when the configuration has none', async () => {
    const manager = await loadAuthManager(config({}), { ...deps(), jwtSecret: SECRET });
    expect(manager).toBeInstanceOf(SimpleAuthManager);
  });

  it('says how to set a secret when there is none, and refuses a short one', async () => {
    await expect(loadAuthManager(config({}), deps())).rejects.toThrow(/jwt_secret is not set.*UPDRAFT__API_AUTH__JWT_SECRET/);
    await expect(loadAuthManager(config({ UPDRAFT__API_AUTH__JWT_SECRET: 'too-short' }), deps())).rejects.toThrow(/at least 32 characters/);
  });

  it('imports a custom auth manager relative to baseDir and hands it the context', async () => {
    const cfg = config({ UPDRAFT__CORE__AUTH_MANAGER: './fixtures/custom-auth-manager.ts#ApiKeyAuthManager' });
    const manager = await loadAuthManager(cfg, deps());
    expect(manager.constructor.name).toBe(ApiKeyAuthManager.name);
    expect((manager as ApiKeyAuthManager).context.config).toBe(cfg);
    expect(await manager.getUserFromToken('the-key')).toEqual({ id: 'robot', name: 'robot' });
  });

  it('names the module when it cannot be imported', async () => {
    const cfg = config({ UPDRAFT__CORE__AUTH_MANAGER: './fixtures/missing.ts#Nope' });
    const attempt = loadAuthManager(cfg, deps());
    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(loadAuthManager(cfg, deps())).rejects.toThrow(/\[core\] auth_manager: could not import "\.\/fixtures\/missing\.ts".*relative to/);
  });

  it('lists the exports when the named one is missing', async () => {
    const cfg = config({ UPDRAFT__CORE__AUTH_MANAGER: './fixtures/custom-auth-manager.ts#Missing' });
    await expect(loadAuthManager(cfg, deps())).rejects.toThrow(/has no class "Missing" \(its exports: .*ApiKeyAuthManager/);
  });

  it('refuses an export that lacks auth manager methods, naming them', async () => {
    const cfg = config({ UPDRAFT__CORE__AUTH_MANAGER: './fixtures/custom-auth-manager.ts#HalfAuthManager' });
    await expect(loadAuthManager(cfg, deps())).rejects.toThrow(/is not an auth manager \(missing: generateToken, authenticate, isAuthorizedDag/);
  });

  it('refuses a setting that is neither simple nor module#Export', async () => {
    await expect(loadAuthManager(config({ UPDRAFT__CORE__AUTH_MANAGER: 'fab' }), deps())).rejects.toThrow(/"fab"; write "simple" or "<module>#<ExportName>"/);
    await expect(loadAuthManager(config({ UPDRAFT__CORE__AUTH_MANAGER: './x.ts#not-a-name' }), deps())).rejects.toThrow(ConfigError);
  });
});
