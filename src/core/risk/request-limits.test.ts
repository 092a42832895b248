import { describe, expect, it } from 'vitest';
import { createMemoryRateLimiter } from '../../adapters/rate-limit/memory-rate-limiter.ts';
import { FrontdoorError } from '../errors.ts';
import type { Tenant } from '../ports.ts';
import { createRequestLimits, DEFAULT_REQUEST_LIMITS, endpointGroup } from './request-limits.ts';

const tenant = (settings: Tenant['settings'] = {}): Tenant => ({ id: 't1', name: 'T1', branding: {}, settings, createdAt: 0, updatedAt: 0 });

async function refusal(promise: Promise<void>): Promise<FrontdoorError | null> {
  try {
    await promise;
    return null;
  } catch (error) {
    return error as FrontdoorError;
  }
}

describe('endpointGroup', () => {
  it('names the group of each path under a tenant', () => {
    expect(endpointGroup('/oidc/token')).toBe('token');
    expect(endpointGroup('/oidc/token/introspection')).toBe('introspection');
    expect(endpointGroup('/oidc/token/revocation')).toBe('introspection');
    expect(endpointGroup('/oidc/auth?client_id=x')).toBe('authorization');
    expect(endpointGroup('/oidc/auth/abc')).toBe('authorization');
    expect(endpointGroup('/oidc/request')).toBe('authorization');
    expect(endpointGroup('/oidc/device/auth')).toBe('authorization');
    expect(endpointGroup('/oidc/me')).toBe('userinfo');
    expect(endpointGroup('/oidc/jwks')).toBe('oidc');
    expect(endpointGroup('/oidc')).toBe('oidc');
    expect(endpointGroup('/oidcx')).toBe('pages');
    expect(endpointGroup('/api/v1/sign-in')).toBe('api');
    expect(endpointGroup('/login')).toBe('pages');
    expect(endpointGroup('/')).toBe('pages');
  });
});

describe('request limits', () => {
  it('applies the defaults per address, and counts each address and group apart', async () => {
    const now = 1_700_000_000_000;
    const limits = createRequestLimits({ limiter: createMemoryRateLimiter({ now: () => now }) });
    const cap = DEFAULT_REQUEST_LIMITS.perAddress.api;
    for (let i = 0; i < cap; i += 1) await limits.check(tenant(), 'api', '192.0.2.1');
    const refused = await refusal(limits.check(tenant(), 'api', '192.0.2.1'));
    expect(refused?.code).toBe('rate_limited');
    expect(refused?.retryAfterSeconds).toBe(60);
    expect(await refusal(limits.check(tenant(), 'api', '192.0.2.2'))).toBeNull();
    expect(await refusal(limits.check(tenant(), 'pages', '192.0.2.1'))).toBeNull();
    // No address (not known behind an untrusted hop): only the tenant's own limit can apply.
    expect(await refusal(limits.check(tenant(), 'api', null))).toBeNull();
  });

  it("counts a tenant's requests across addresses when it sets a ceiling; 0 means none", async () => {
    const now = 1_700_000_000_000;
    const limits = createRequestLimits({ limiter: createMemoryRateLimiter({ now: () => now }) });
    const capped = tenant({ rateLimits: { perTenant: { token: 3 }, perAddress: { token: 0 } } });
    for (let i = 0; i < 3; i += 1) await limits.check(capped, 'token', `192.0.2.${i}`);
    expect((await refusal(limits.check(capped, 'token', '192.0.2.99')))?.code).toBe('rate_limited');
    const open = tenant({ rateLimits: { perAddress: { token: 0 } } });
    for (let i = 0; i < DEFAULT_REQUEST_LIMITS.perAddress.token + 5; i += 1) await limits.check({ ...open, id: 't2' }, 'token', '192.0.2.1');
  });
});
