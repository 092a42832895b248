// The SAML 2.0 service provider side of enterprise login, through @node-saml/node-saml: the
// AuthnRequest (HTTP-Redirect binding) and the validation of the IdP's POSTed response — signature
// over the assertion with the IdP's certificate, audience, NotBefore/NotOnOrAfter with the
// connection's clock skew, InResponseTo. node-saml does not check the subject confirmation's
// Recipient, the response's Destination or the Issuer (measured: each accepted), so they are
// checked here on the assertion node-saml validated; a used assertion ID is refused (replay).
//
// InResponseTo: node-saml asks a cache for the request IDs it sent. Each call gets a cache of one:
// at the start it captures the new request's ID (sealed into the browser's start cookie as its
// `nonce`), at the callback it knows only the ID from that cookie. A response to another request,
// another browser's, or none, is refused.
import { createHash, randomBytes } from 'node:crypto';
import { SAML, SamlStatusError, ValidateInResponseTo, type CacheProvider } from '@node-saml/node-saml';
import { DOMParser } from '@xmldom/xmldom';
import { FrontdoorError } from '../../core/errors.ts';
import { connectionUrls } from '../../core/federation/connections.ts';
import type { UpstreamClient, UpstreamIdentity } from '../../core/federation/federated-sign-in.ts';
import type { Clock, Connection, SamlAssertionRepository, SamlIdpSettings } from '../../core/ports.ts';

const ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion';
const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';
const TRANSIENT = 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient';
const DEFAULT_SKEW_SECONDS = 60;
/** A used assertion is remembered at most this long (its NotOnOrAfter, when sooner). */
const MAX_REMEMBERED_MS = 24 * 3600_000;

/** Attribute names tried for each of ours when the connection maps none (friendly, OID, Microsoft claim URIs). */
const ATTRIBUTES = {
  email: ['email', 'mail', 'emailAddress', 'urn:oid:0.9.2342.19200300.100.1.3', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress'],
  given_name: ['givenName', 'given_name', 'urn:oid:2.5.4.42', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname'],
  family_name: ['sn', 'surname', 'family_name', 'urn:oid:2.5.4.4', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname'],
  name: ['displayName', 'name', 'urn:oid:2.16.840.1.113730.3.1.241', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name'],
} as const;

/** Where a SAML connection lives on our side. */
export function samlServiceProvider(baseUrl: string | URL, connection: Pick<Connection, 'tenantId' | 'id' | 'clientId'>): { entityId: string; acsUrl: string; metadataUrl: string } {
  const urls = connectionUrls(baseUrl, connection.tenantId, connection.id);
  return { entityId: connection.clientId || urls.samlMetadata, acsUrl: urls.callback, metadataUrl: urls.samlMetadata };
}

export interface SamlUpstreamOptions {
  baseUrl: string | URL;
  clock: Clock;
  usedAssertions: SamlAssertionRepository;
}

/**
 * A cache that holds only `requestId` (the callback) or captures the ID node-saml saves (the
 * start). node-saml reads the value as the request's creation time; the sealed start cookie's own
 * ten-minute life already bounds it, so "now" is given.
 */
function oneRequestCache(requestId: string | null): CacheProvider & { saved: string | null } {
  const cache = {
    saved: null as string | null,
    async saveAsync(key: string, value: string) {
      cache.saved = key;
      return { value, createdAt: Date.now() };
    },
    async getAsync(key: string) {
      return requestId !== null && key === requestId ? new Date().toISOString() : null;
    },
    async removeAsync(key: string | null) {
      return key;
    },
  };
  return cache;
}

function firstText(parent: Element, namespace: string, name: string): string | null {
  const node = parent.getElementsByTagNameNS(namespace, name).item(0);
  return node?.textContent?.trim() || null;
}

/** The text of a direct child (the Response's own Issuer, not its assertion's). */
function childText(parent: Element, namespace: string, name: string): string | null {
  for (let node = parent.firstChild; node; node = node.nextSibling) {
    const element = node as Element;
    if (element.nodeType === 1 && element.namespaceURI === namespace && element.localName === name) return element.textContent?.trim() || null;
  }
  return null;
}

const skewSeconds = (idp: SamlIdpSettings) => idp.clockSkewSeconds ?? DEFAULT_SKEW_SECONDS;

export interface SamlUpstream extends UpstreamClient {
  /** Our SP metadata for the connection: entity id, ACS (HTTP-POST), assertions wanted signed. */
  serviceProviderMetadata(connection: Connection): string;
}

export function createSamlUpstream(options: SamlUpstreamOptions): SamlUpstream {
  function samlFor(connection: Connection, cache: CacheProvider): SAML {
    const idp = connection.settings.saml;
    if (!idp) throw new FrontdoorError('federation.invalid_response', { detail: 'the connection has no identity provider' });
    const sp = samlServiceProvider(options.baseUrl, connection);
    return new SAML({
      entryPoint: idp.ssoUrl,
      issuer: sp.entityId,
      callbackUrl: sp.acsUrl,
      audience: sp.entityId,
      idpCert: idp.certificates,
      idpIssuer: idp.entityId,
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: false,
      validateInResponseTo: ValidateInResponseTo.always,
      cacheProvider: cache,
      acceptedClockSkewMs: skewSeconds(idp) * 1000,
      identifierFormat: null,
      disableRequestedAuthnContext: true,
    });
  }

  function attribute(profile: Record<string, unknown>, names: readonly string[]): string | undefined {
    for (const name of names) {
      const raw = profile[name];
      const value = Array.isArray(raw) ? raw[0] : raw;
      if (typeof value === 'string' && value.length > 0 && value.length <= 1000) return value;
    }
    return undefined;
  }

  return {
    serviceProviderMetadata(connection) {
      return samlFor(connection, oneRequestCache(null)).generateServiceProviderMetadata(null, null);
    },

    async begin(connection, redirectUri) {
      if (samlServiceProvider(options.baseUrl, connection).acsUrl !== redirectUri) throw new FrontdoorError('federation.invalid_response', { detail: 'unexpected callback' });
      const cache = oneRequestCache(null);
      const relayState = randomBytes(32).toString('base64url');
      try {
        const url = await samlFor(connection, cache).getAuthorizeUrlAsync(relayState, undefined, {});
        if (!cache.saved) throw new Error('no request id');
        return { url, state: relayState, nonce: cache.saved, codeVerifier: '' };
      } catch (error) {
        throw error instanceof FrontdoorError ? error : new FrontdoorError('federation.unavailable', { cause: error, detail: 'could not make the request' });
      }
    },

    async complete(connection, redirectUri, response, expected) {
      const idp = connection.settings.saml;
      const body = response.body;
      const samlResponse = body?.get('SAMLResponse');
      if (!idp || response.method !== 'POST' || !samlResponse) throw new FrontdoorError('federation.invalid_response', { detail: 'no SAMLResponse' });
      const relayState = body!.get('RelayState') ?? '';
      if (relayState !== expected.state) throw new FrontdoorError('federation.state_invalid', { detail: 'RelayState does not match' });
      if (!expected.nonce) throw new FrontdoorError('federation.state_invalid', { detail: 'no request sent' });
      let profile;
      try {
        ({ profile } = await samlFor(connection, oneRequestCache(expected.nonce)).validatePostResponseAsync({ SAMLResponse: samlResponse, RelayState: relayState }));
      } catch (error) {
        if (error instanceof SamlStatusError) throw new FrontdoorError('federation.denied', { cause: error, detail: `identity provider status: ${error.xmlStatus}` });
        throw new FrontdoorError('federation.invalid_response', { cause: error, detail: error instanceof Error ? error.message : 'invalid SAML response' });
      }
      if (!profile?.getAssertionXml || !profile.getSamlResponseXml) throw new FrontdoorError('federation.invalid_response', { detail: 'no assertion' });

      // What node-saml leaves unchecked, read from the assertion whose signature it verified (the
      // response around it may be unsigned: its Destination and Issuer are checked as well, but
      // the decisive checks are on the signed assertion).
      const parser = new DOMParser();
      const assertion = parser.parseFromString(profile.getAssertionXml(), 'text/xml').documentElement as unknown as Element;
      const whole = parser.parseFromString(profile.getSamlResponseXml(), 'text/xml').documentElement as unknown as Element;
      const acs = samlServiceProvider(options.baseUrl, connection).acsUrl;
      if (acs !== redirectUri) throw new FrontdoorError('federation.invalid_response', { detail: 'unexpected callback' });
      const destination = whole.getAttribute('Destination');
      if (destination && destination !== acs) throw new FrontdoorError('federation.invalid_response', { detail: 'Destination is not our ACS' });
      const responseIssuer = childText(whole, ASSERTION, 'Issuer');
      if (firstText(assertion, ASSERTION, 'Issuer') !== idp.entityId || (responseIssuer !== null && responseIssuer !== idp.entityId)) {
        throw new FrontdoorError('federation.invalid_response', { detail: 'Issuer is not the identity provider' });
      }
      // A bearer confirmation for us, for the request this browser sent, with an end.
      const confirmation = Array.from(assertion.getElementsByTagNameNS(ASSERTION, 'SubjectConfirmation') as unknown as ArrayLike<Element>)
        .filter((c) => c.getAttribute('Method') === BEARER)
        .map((c) => c.getElementsByTagNameNS(ASSERTION, 'SubjectConfirmationData').item(0))
        .find((data) => data !== null && data.getAttribute('Recipient') === acs && data.getAttribute('InResponseTo') === expected.nonce && Number.isFinite(Date.parse(data.getAttribute('NotOnOrAfter') ?? '')));
      if (!confirmation) throw new FrontdoorError('federation.invalid_response', { detail: 'no bearer confirmation for our ACS and request (Recipient, InResponseTo, NotOnOrAfter)' });

      const assertionId = assertion.getAttribute('ID');
      if (!assertionId) throw new FrontdoorError('federation.invalid_response', { detail: 'assertion without ID' });
      // Remembered while it could still be accepted: until its end plus the skew allowed.
      const now = options.clock.now();
      const notOnOrAfter = Date.parse(confirmation.getAttribute('NotOnOrAfter')!);
      const keepUntil = Math.min(Math.max(notOnOrAfter, now) + skewSeconds(idp) * 1000, now + MAX_REMEMBERED_MS);
      const hash = createHash('sha256').update(assertionId).digest('base64url');
      if (!(await options.usedAssertions.markUsed(connection.tenantId, connection.id, hash, keepUntil))) throw new FrontdoorError('federation.invalid_response', { detail: 'assertion used before (replay)' });

      if (!profile.nameID || profile.nameIDFormat === TRANSIENT || profile.nameID.length > 500) throw new FrontdoorError('federation.invalid_response', { detail: 'a transient NameID cannot identify an account' });
      const attributes = profile as unknown as Record<string, unknown>;
      const mapping = connection.settings.mapping ?? {};
      const email = attribute(attributes, mapping.email ? [mapping.email] : ATTRIBUTES.email) ?? (profile.nameIDFormat?.endsWith(':emailAddress') ? profile.nameID : undefined) ?? null;
      // A SAML IdP says nothing of verification: its own domains it vouches for (or an attribute mapped as such).
      const domain = email ? email.slice(email.lastIndexOf('@') + 1).toLowerCase() : '';
      const verifiedAttribute = mapping.emailVerified ? attribute(attributes, [mapping.emailVerified]) : undefined;
      const emailVerified = email !== null && ((connection.settings.domains ?? []).includes(domain) || verifiedAttribute === 'true');
      const profileOut: UpstreamIdentity['profile'] = {};
      for (const [ours, names] of [['name', mapping.name], ['given_name', mapping.givenName], ['family_name', mapping.familyName]] as const) {
        const value = attribute(attributes, names ? [names] : ATTRIBUTES[ours]);
        if (value) profileOut[ours] = value;
      }
      return { subject: profile.nameID, email, emailVerified, profile: profileOut, amr: [], acr: null, tokens: null };
    },
  };
}
