// A real, independent SAML 2.0 Identity Provider on a loopback port for the SAML service-provider
// tests: test/support/saml-idp/idp.py, Debian's pysaml2 (python3-pysaml2, signing with xmlsec1) in
// a child process of /usr/bin/python3 (Debian's Python packages load only there). Our SP is then
// judged by someone else's SAML, not by its own. The IdP signs in whatever account the test set, at
// once (no login form), and answers the AuthnRequest with an auto-submitting form that POSTs
// SAMLResponse to the SP's ACS; the test reads that form with followSamlRedirect() and POSTs it to
// our ACS itself. Its mode makes good responses or ones our SP must refuse (unsigned, wrong
// audience, expired, wrong recipient, wrong InResponseTo, other key, signature wrapping, tampered).
//
// The SP's entity id and ACS URL are known only once the SP connection exists: give them at start
// (`serviceProvider`) or later with setServiceProvider(); pysaml2 answers only SPs it knows, and
// only at an ACS URL in their metadata.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './server.ts';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./saml-idp/idp.py', import.meta.url));

export type SamlIdpMode =
  | 'good'
  | 'unsigned'
  | 'wrong_audience'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_recipient'
  | 'wrong_destination'
  | 'wrong_recipient_only'
  | 'wrong_in_response_to'
  | 'wrong_issuer'
  | 'signed_by_other_key'
  | 'wrapping'
  | 'wrapping_sibling'
  | 'wrapping_advice'
  | 'tampered';

/** The friendly attribute names, as their urn:oid names (what `attributeNames: 'oid'` sends). */
export const SAML_ATTRIBUTE_OIDS = {
  email: 'urn:oid:0.9.2342.19200300.100.1.3',
  givenName: 'urn:oid:2.5.4.42',
  sn: 'urn:oid:2.5.4.4',
  displayName: 'urn:oid:2.16.840.1.113730.3.1.241',
  uid: 'urn:oid:0.9.2342.19200300.100.1.1',
} as const;

export interface SamlAccount {
  nameId: string;
  /** persistent (the default), email, transient, unspecified, or a full NameID format URN. */
  nameIdFormat?: 'persistent' | 'email' | 'transient' | 'unspecified' | (string & {});
  /** Attribute name → value(s), names sent as given (or as urn:oid with `attributeNames: 'oid'`). */
  attributes?: Record<string, string | string[]>;
}

export type SamlServiceProvider = { entityId: string; acsUrl: string; /** PEM, to check signed requests */ cert?: string } | { metadataXml: string } | { metadataUrl: string };

export interface SamlIdpSettings {
  mode?: SamlIdpMode;
  account?: SamlAccount;
  /** The account of the unsigned assertion in the wrapping modes, and the email of `tampered`. */
  evilAccount?: SamlAccount;
  /** Sign the Response as well as the Assertion (default false: the Assertion only). */
  signResponse?: boolean;
  /** Sign the Assertion (default true). */
  signAssertion?: boolean;
  /** NotOnOrAfter of a good assertion, seconds ahead (default 300). */
  lifetimeSeconds?: number;
  /** 'as_given' (default): attribute names as in the account; 'oid': email, givenName, sn, displayName as urn:oid. */
  attributeNames?: 'as_given' | 'oid';
  /** Back to the start settings first (SPs kept). */
  reset?: boolean;
}

export interface SamlIdpRequest {
  binding: string;
  xml: string;
  id: string;
  issuer: string;
  acs_url: string | null;
  relay_state: string | null;
  /** 'none', 'valid', 'invalid', or 'unverified' (signed, but no SP cert known). */
  signature: 'none' | 'valid' | 'invalid' | 'unverified';
}

export interface SamlIdp {
  /** http://127.0.0.1:PORT */
  url: string;
  /** The IdP's entity id (its metadata URL). */
  entityId: string;
  metadataUrl: string;
  /** SingleSignOnService, HTTP-Redirect binding. */
  ssoUrl: string;
  /** SingleSignOnService, HTTP-POST binding. */
  ssoPostUrl: string;
  /** The signing certificate in /metadata, PEM. */
  certificatePem: string;
  metadataXml(): Promise<string>;
  setMode(mode: SamlIdpMode): Promise<void>;
  setAccount(account: SamlAccount): Promise<void>;
  setServiceProvider(sp: SamlServiceProvider): Promise<void>;
  configure(settings: SamlIdpSettings): Promise<void>;
  /** The XML of the last SAMLResponse sent (to replay it: base64 of this is the SAMLResponse). */
  lastResponse(): Promise<string>;
  lastRequest(): Promise<SamlIdpRequest>;
  close(): Promise<void>;
}

export interface StartSamlIdpOptions extends Omit<SamlIdpSettings, 'reset'> {
  serviceProvider?: SamlServiceProvider;
}

/**
 * Whether this machine can run the IdP (Debian's python3-pysaml2 and xmlsec1). Absent, the SAML
 * tests are skipped with a printed reason, or fail the run under FRONTDOOR_TEST_REQUIRE_SERVICES=1.
 */
export async function samlIdpAvailable(what: string): Promise<boolean> {
  const ok =
    existsSync(PYTHON) &&
    existsSync('/usr/bin/xmlsec1') &&
    (await new Promise<boolean>((resolve) => spawn(PYTHON, ['-c', 'import saml2']).on('close', (code) => resolve(code === 0))));
  if (!ok) {
    if (process.env.FRONTDOOR_TEST_REQUIRE_SERVICES === '1') throw new Error('python3-pysaml2 and xmlsec1 are required (apt-get install python3-pysaml2 xmlsec1)');
    console.warn(`[frontdoor tests] skipping ${what}: python3-pysaml2 or xmlsec1 not installed`);
  }
  return ok;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

const wireAccount = (a: SamlAccount) => ({ name_id: a.nameId, name_id_format: a.nameIdFormat ?? 'persistent', attributes: a.attributes ?? {} });

function wireSettings(s: SamlIdpSettings & { serviceProvider?: SamlServiceProvider }): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (s.reset) body.reset = true;
  if (s.mode) body.mode = s.mode;
  if (s.account) body.account = wireAccount(s.account);
  if (s.evilAccount) body.evil_account = wireAccount(s.evilAccount);
  if (s.signResponse !== undefined) body.sign_response = s.signResponse;
  if (s.signAssertion !== undefined) body.sign_assertion = s.signAssertion;
  if (s.lifetimeSeconds !== undefined) body.lifetime_seconds = s.lifetimeSeconds;
  if (s.attributeNames) body.attribute_names = s.attributeNames;
  const sp = s.serviceProvider;
  if (sp && 'entityId' in sp) body.sp = { entity_id: sp.entityId, acs_url: sp.acsUrl, ...(sp.cert ? { cert: sp.cert } : {}) };
  if (sp && 'metadataXml' in sp) body.sp_metadata = sp.metadataXml;
  if (sp && 'metadataUrl' in sp) body.sp_metadata_url = sp.metadataUrl;
  return body;
}

export async function startSamlIdp(options: StartSamlIdpOptions = {}): Promise<SamlIdp> {
  const workdir = mkdtempSync(join(tmpdir(), 'frontdoor-saml-idp-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(PYTHON, [SCRIPT, '--port', String(port), '--workdir', workdir], { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void exited.then(() => {
    gone = true;
    running.delete(child);
  });

  const stop = async () => {
    if (!gone) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(workdir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (gone) {
      await stop();
      throw new Error(`the SAML IdP (${PYTHON} ${SCRIPT}) exited before answering:\n${stderr}`);
    }
    const up = await fetch(`${url}/metadata`).then((r) => r.ok, () => false);
    if (up) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the SAML IdP did not answer /metadata within 30 s:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  const call = async (method: 'GET' | 'POST', path: string, body?: unknown): Promise<string> => {
    const response = await fetch(`${url}${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`SAML IdP ${method} ${path}: ${response.status} ${text}\n${stderr}`);
    return text;
  };
  const control = async (body: Record<string, unknown>) => {
    await call('POST', '/control', body);
  };

  const entityId = `${url}/metadata`;
  const idp: SamlIdp = {
    url,
    entityId,
    metadataUrl: `${url}/metadata`,
    ssoUrl: `${url}/sso/redirect`,
    ssoPostUrl: `${url}/sso/post`,
    certificatePem: readFileSync(join(workdir, 'idp-cert.pem'), 'utf8'),
    metadataXml: () => call('GET', '/metadata'),
    setMode: (mode) => control({ mode }),
    setAccount: (account) => control({ account: wireAccount(account) }),
    setServiceProvider: (serviceProvider) => control(wireSettings({ serviceProvider })),
    configure: (settings) => control(wireSettings(settings)),
    lastResponse: () => call('GET', '/last-response'),
    lastRequest: async () => JSON.parse(await call('GET', '/last-request')) as SamlIdpRequest,
    close: stop,
  };
  const initial = wireSettings(options);
  if (Object.keys(initial).length > 0) {
    try {
      await control(initial);
    } catch (error) {
      await stop();
      throw error;
    }
  }
  return idp;
}

export interface SamlPostForm {
  /** Where the IdP's form posts: the SP's AssertionConsumerService URL. */
  acsUrl: string;
  SAMLResponse: string;
  RelayState?: string;
}

const unescapeHtml = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|#39);/gi, (_m, e: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return named[e.toLowerCase()] ?? _m;
  });

/** Reads the IdP's auto-submitting form: its action and its SAMLResponse / RelayState fields. */
export function parseSamlPostForm(html: string): SamlPostForm {
  const action = /<form[^>]*\saction="([^"]*)"/i.exec(html)?.[1];
  const field = (name: string) => {
    const input = new RegExp(`<input[^>]*\\sname="${name}"[^>]*>`, 'i').exec(html)?.[0];
    const value = input && /\svalue="([^"]*)"/i.exec(input)?.[1];
    return value === undefined || value === null ? undefined : unescapeHtml(value);
  };
  const SAMLResponse = field('SAMLResponse');
  if (!action || !SAMLResponse) throw new Error(`no SAMLResponse form in the IdP's answer:\n${html.slice(0, 1000)}`);
  const RelayState = field('RelayState');
  return { acsUrl: unescapeHtml(action), SAMLResponse, ...(RelayState === undefined ? {} : { RelayState }) };
}

/**
 * Plays the browser at the IdP: GETs `location` (the redirect to the IdP's SSO URL that our SP
 * answered with, HTTP-Redirect binding) and returns the fields the IdP's page would POST to the ACS.
 */
export async function followSamlRedirect(location: string): Promise<SamlPostForm> {
  const response = await fetch(location, { redirect: 'manual' });
  const html = await response.text();
  if (response.status !== 200) throw new Error(`SAML IdP GET ${location}: ${response.status} ${html}`);
  return parseSamlPostForm(html);
}

/** The same for the HTTP-POST binding: POSTs the SP's form fields (SAMLRequest, RelayState) to `ssoPostUrl`. */
export async function postSamlRequest(ssoPostUrl: string, fields: { SAMLRequest: string; RelayState?: string }): Promise<SamlPostForm> {
  const response = await fetch(ssoPostUrl, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
  const html = await response.text();
  if (response.status !== 200) throw new Error(`SAML IdP POST ${ssoPostUrl}: ${response.status} ${html}`);
  return parseSamlPostForm(html);
}
