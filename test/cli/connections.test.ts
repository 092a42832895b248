// `frontdoor connection …` as an operator runs it: a real subprocess against the database of the
// environment, on both engines. The client secret is read from a file and never printed.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnvironment, expectOneLineFailure, frontdoor, json, SLOW } from '../support/cli.ts';
import { engines, type TestEngine } from '../support/engines.ts';

const SECRET = 'cli-connection-secret-5f7a9c';

describe.each(engines)('frontdoor connection against %s', (engine: TestEngine) => {
  let dataDir: string;
  let env: Record<string, string>;
  let remove: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ env, dataDir, remove } = await cliEnvironment(engine, 'frontdoor-cli-connections-'));
    expect((await frontdoor(env, 'tenant', 'create', 'acme')).code).toBe(0);
  }, SLOW);
  afterAll(async () => {
    await remove?.();
  }, SLOW);

  it('creates, lists and deletes a connection without ever printing its secret', async () => {
    const secretFile = join(dataDir, 'google-secret');
    writeFileSync(secretFile, `${SECRET}\n`);
    const run = await frontdoor(env, 'connection', 'create', '--tenant', 'acme', '--preset', 'google', '--client-id', 'g-123', '--client-secret-file', secretFile, '--domain', 'acme.example', '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain(SECRET);
    const created = json(run);
    expect(created).toMatchObject({ type: 'oidc', preset: 'google', name: 'Google', client_id: 'g-123', has_secret: true, settings: { issuer: 'https://accounts.google.com', domains: ['acme.example'] } });
    expect(created.redirect_uri).toMatch(new RegExp(`/t/acme/connections/${created.id}/callback$`));

    const listed = await frontdoor(env, 'connection', 'list', '--tenant', 'acme');
    expect(listed.stdout).toMatch(new RegExp(`${created.id}\\s+Google\\s+google\\s+yes\\s+acme.example`));
    expect(listed.stdout).not.toContain(SECRET);

    expectOneLineFailure(await frontdoor(env, 'connection', 'create', '--tenant', 'acme', '--type', 'oidc', '--name', 'X', '--client-id', 'x', '--issuer', 'http://idp.example'), 1);
    expectOneLineFailure(await frontdoor(env, 'connection', 'create', '--tenant', 'acme', '--client-id', 'x'), 1);

    expect((await frontdoor(env, 'connection', 'delete', created.id, '--tenant', 'acme')).code).toBe(0);
    expect(json(await frontdoor(env, 'connection', 'list', '--tenant', 'acme', '--json')).items).toEqual([]);
    expectOneLineFailure(await frontdoor(env, 'connection', 'delete', created.id, '--tenant', 'acme'), 1);
  }, SLOW);

  it('creates a SAML connection from the identity provider’s metadata file and prints our SP metadata URL', async () => {
    const key = join(dataDir, 'idp-key.pem');
    const cert = join(dataDir, 'idp-cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2', '-subj', '/CN=idp.acme.example', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const der = readFileSync(cert, 'utf8').replace(/-----[^-]+-----|\s+/g, '');
    const metadata = join(dataDir, 'idp-metadata.xml');
    writeFileSync(
      metadata,
      `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.acme.example/saml">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${der}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.acme.example/saml/post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.acme.example/saml/redirect"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`,
    );
    const run = await frontdoor(env, 'connection', 'create', '--tenant', 'acme', '--type', 'saml', '--name', 'Acme SSO', '--metadata-file', metadata, '--clock-skew-seconds', '30');
    expect(run.code, run.stderr).toBe(0);
    const id = /Created connection (con_\S+) \(Acme SSO\)/.exec(run.stdout)?.[1];
    expect(id).toBeDefined();
    expect(run.stdout).toContain(`/t/acme/connections/${id}/saml/metadata`);
    const [listed] = json(await frontdoor(env, 'connection', 'list', '--tenant', 'acme', '--json')).items;
    expect(listed).toMatchObject({ id, type: 'saml', settings: { saml: { entity_id: 'https://idp.acme.example/saml', sso_url: 'https://idp.acme.example/saml/redirect', clock_skew_seconds: 30 } } });
    expect(listed.settings.saml.certificates[0].replace(/-----[^-]+-----|\s+/g, '')).toBe(der);
    writeFileSync(metadata, '<md:EntityDescriptor');
    expectOneLineFailure(await frontdoor(env, 'connection', 'create', '--tenant', 'acme', '--type', 'saml', '--name', 'Broken', '--metadata-file', metadata), 1);
    expect((await frontdoor(env, 'connection', 'delete', id!, '--tenant', 'acme')).code).toBe(0);
  }, SLOW);
});
