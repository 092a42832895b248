// Every account-page action that names an object by id (a session, a passkey, a remembered
// browser, a sign-in, an app) acts only on the signed-in customer's own: another customer's id,
// from the same tenant, changes nothing of theirs and shows nothing of theirs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../../src/core/secrets.ts';
import { engines } from '../../support/engines.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { registerAndVerify, signIn, PASSWORD, uniqueEmail } from './flows.ts';

describe.each(engines)("another customer's objects by id (%s)", (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(engine);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('are neither changed nor shown through the account page', async () => {
    const { store, sessions } = server.services;
    const attackerEmail = uniqueEmail();
    const attacker = await registerAndVerify(server, 'demo', attackerEmail);
    const victimEmail = uniqueEmail();
    await registerAndVerify(server, 'demo', victimEmail);
    const { client: victimBrowser } = await signIn(server, 'demo', victimEmail, PASSWORD);
    const victim = (await store.users.findByEmail('demo', victimEmail))!;
    const now = Date.now();

    // The victim's objects.
    const [victimSession] = await sessions.listForUser('demo', victim.id);
    const passkey = { id: newId('pk'), tenantId: 'demo', userId: victim.id, credentialId: newId('cred'), publicKey: 'AQID', signCount: 0, transports: [], backupEligible: true, backedUp: true, aaguid: '00000000-0000-0000-0000-000000000000', name: 'Victim phone', createdAt: now, lastUsedAt: null };
    await store.passkeys.create(passkey);
    const device = { id: newId('dev'), tenantId: 'demo', userId: victim.id, tokenHash: newId('th'), name: 'Victim laptop', createdAt: now, lastUsedAt: now, expiresAt: now + 86_400_000 };
    await store.trustedDevices.create(device);
    const signInId = newId('sie');
    await store.signInEvents.addMany([{ id: signInId, tenantId: 'demo', userId: victim.id, at: now, deviceHash: null, deviceName: 'Victim browser', network: null, country: null, latitude: null, longitude: null, accuracyKm: null, methods: ['pwd'], sessionId: null, riskEventId: null }]);

    const statuses: Record<string, number> = {};
    await attacker.get('/t/demo/account');
    statuses.session = (await attacker.post(`/t/demo/account/sessions/${encodeURIComponent(victimSession!.id)}/revoke`, {})).status;
    await attacker.get('/t/demo/account');
    statuses.rename = (await attacker.post(`/t/demo/account/passkeys/${passkey.id}/rename`, { name: 'pwned' })).status;
    await attacker.get('/t/demo/account');
    statuses.deletePasskey = (await attacker.post(`/t/demo/account/passkeys/${passkey.id}/delete`, {})).status;
    await attacker.get('/t/demo/account');
    statuses.forget = (await attacker.post(`/t/demo/account/devices/${device.id}/forget`, {})).status;
    await attacker.get('/t/demo/account');
    statuses.report = (await attacker.post(`/t/demo/account/sign-ins/${signInId}/report`, {})).status;
    // Each answered without acting (a refusal, or the page again); none failed as a server error.
    for (const [what, status] of Object.entries(statuses)) expect(status, what).toBeLessThan(500);

    // Nothing of the victim's changed.
    expect((await sessions.listForUser('demo', victim.id)).map((s) => s.id)).toContain(victimSession!.id);
    expect((await victimBrowser.get('/t/demo/account')).status).toBe(200);
    expect((await store.passkeys.listForUser('demo', victim.id)).map((p) => p.name)).toEqual(['Victim phone']);
    expect((await store.trustedDevices.listForUser('demo', victim.id, now)).map((d) => d.id)).toEqual([device.id]);
    expect((await store.passwords.get('demo', victim.id))?.resetRequired ?? false).toBe(false);

    // Nor is anything of the victim's shown to the attacker, on the page or in the export.
    const page = (await attacker.get('/t/demo/account')).text;
    const exported = (await attacker.get('/t/demo/account/export')).text;
    expect(JSON.parse(exported).account.email).toBe(attackerEmail);
    for (const text of [page, exported]) {
      for (const secret of [victimEmail, victim.id, victimSession!.id, passkey.id, 'Victim phone', 'Victim laptop', signInId]) expect(text.includes(secret), secret).toBe(false);
    }
  });
});
