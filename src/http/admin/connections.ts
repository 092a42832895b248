// /tenants/:tenantId/connections: the tenant's upstream identity providers (social and enterprise
// login). The client secret is write-only: accepted at creation and by `…/secret`, never returned
// (`has_secret` says whether one is set).
import { Type, type Static } from 'typebox';
import type { Services } from '../../app.ts';
import { CONNECTION_PRESETS, createConnection, deleteConnection, requireConnection, rotateConnectionSecret, updateConnection } from '../../core/federation/connections.ts';
import type { ConnectionMapping, Connection, ConnectionPreset, ConnectionSettings, SamlIdpSettings } from '../../core/ports.ts';
import { parseIdpMetadata } from '../../adapters/federation/saml-metadata.ts';
import { samlServiceProvider } from '../../adapters/federation/saml-upstream.ts';
import { requireTenant } from '../../core/tenants/tenant-admin.ts';
import { listFederatedIdentities } from '../../core/federation/federated-sign-in.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { callbackUrl } from '../public/federation.ts';
import { adminContext } from './auth.ts';
import { closed, errorResponses, NoContent, opaqueId, TenantParams, text, timestamp, UserParams, type AdminApp } from './schemas.ts';
import { iso } from './wire.ts';

const tags = ['connections'];
const url = (description: string) => Type.String({ minLength: 1, maxLength: 2000, pattern: '^[^\\x00-\\x20\\x7F-\\x9F]+$', description });
const claim = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.:-]+$' });
const Mapping = Type.Object(
  { email: Type.Optional(claim), email_verified: Type.Optional(claim), name: Type.Optional(claim), given_name: Type.Optional(claim), family_name: Type.Optional(claim), picture: Type.Optional(claim) },
  { ...closed, description: 'Upstream claim names for our attributes (defaults: the OpenID Connect standard claims).' },
);
const SamlSettings = Type.Object(
  {
    metadata_xml: Type.Optional(Type.String({ minLength: 1, maxLength: 60_000, description: "The identity provider's metadata document (input only): its entity id, HTTP-Redirect SSO URL and signing certificates are read from it; fields given beside it win." })),
    entity_id: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'The IdP entity id: the Issuer its responses must carry.' })),
    sso_url: Type.Optional(url('The IdP single sign-on URL (HTTP-Redirect binding). https (http only on localhost).')),
    certificates: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 20_000 }), { minItems: 1, maxItems: 5, description: 'PEM certificates whose keys may sign its assertions (two while it rolls its key).' })),
    clock_skew_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 600, description: 'How far its clock may be from ours when NotBefore / NotOnOrAfter are checked (default 60).' })),
  },
  { ...closed, description: 'saml: the identity provider. Its assertions must be signed; audience, recipient, destination, issuer, validity window and InResponseTo are checked, and an assertion is accepted once.' },
);
const Settings = Type.Object(
  {
    icon_url: Type.Optional(Type.String({ maxLength: 100_000, description: 'A `data:image/…;base64,` URL for the button (pages load no third-party resources).' })),
    scopes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200, pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]+$' }), { maxItems: 30 })),
    issuer: Type.Optional(url('oidc: the issuer; discovery at `{issuer}/.well-known/openid-configuration`. https (http only on localhost).')),
    authorization_endpoint: Type.Optional(url('oauth2: the authorization endpoint.')),
    token_endpoint: Type.Optional(url('oauth2: the token endpoint.')),
    userinfo_endpoint: Type.Optional(url('oauth2: where the account is read (`id` or `sub`, `email`, `name`).')),
    emails_endpoint: Type.Optional(url('oauth2, GitHub style: the list of addresses with `verified` and `primary`.')),
    mapping: Type.Optional(Mapping),
    apps: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 100, description: 'Client ids of the apps whose sign-in shows it; absent: every app and the hosted pages.' })),
    domains: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 253 }), { maxItems: 50, description: 'Email domains sent to this provider from the sign-in page (home-realm discovery); one provider per domain.' })),
    organization_id: Type.Optional(opaqueId('The organization whose provider it is: its users become members.')),
    trust_upstream_amr: Type.Optional(Type.Boolean({ description: "Keep the upstream's `amr` in ours (its `mfa` then counts as the second factor)." })),
    store_upstream_tokens: Type.Optional(Type.Boolean({ description: "Keep the upstream's tokens, sealed under the user's data key." })),
    response_mode: Type.Optional(Type.Union([Type.Literal('query'), Type.Literal('form_post')])),
    apple: Type.Optional(Type.Object({ team_id: text(20, { minLength: 1 }), key_id: text(20, { minLength: 1 }) }, closed)),
    allowed_tenants: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100, description: 'Microsoft: the directory ids (`tid`) allowed; absent, any.' })),
    saml: Type.Optional(SamlSettings),
  },
  closed,
);
const ConnectionTypeWire = Type.Union([Type.Literal('oidc'), Type.Literal('oauth2'), Type.Literal('saml')]);
const ServiceProviderWire = Type.Object(
  {
    entity_id: Type.String({ description: 'Our entity id towards the IdP (`client_id` when given, else the metadata URL).' }),
    acs_url: Type.String({ description: 'Our AssertionConsumerService (HTTP-POST binding).' }),
    metadata_url: Type.String({ description: 'Our SP metadata, to give the IdP.' }),
  },
  { ...closed, description: 'saml: what to register at the identity provider.' },
);
const ConnectionWire = Type.Object(
  {
    id: Type.String({ description: 'Connection id (`con_…`).' }),
    type: ConnectionTypeWire,
    preset: Type.Union([Type.String(), Type.Null()]),
    name: Type.String(),
    client_id: Type.String(),
    has_secret: Type.Boolean({ description: 'A client secret is set (it is never returned).' }),
    redirect_uri: Type.String({ description: 'The callback to register at the upstream provider (saml: the ACS).' }),
    service_provider: Type.Optional(ServiceProviderWire),
    settings: Settings,
    enabled: Type.Boolean(),
    created_at: timestamp('When it was created.'),
    updated_at: timestamp('When it was last changed.'),
  },
  closed,
);
const ConnectionParams = Type.Object({ tenantId: TenantParams.properties.tenantId, connectionId: opaqueId('Connection id (`con_…`).') }, closed);
const secret = Type.String({ minLength: 1, maxLength: 10_000, description: "The client secret the upstream issued (Apple: the team's private key, PKCS#8 PEM)." });
const CreateBody = Type.Object(
  {
    type: Type.Optional(ConnectionTypeWire),
    preset: Type.Optional(Type.Union(CONNECTION_PRESETS.map((p) => Type.Literal(p)))),
    name: Type.Optional(text(100, { minLength: 1 })),
    client_id: Type.Optional(Type.String({ minLength: 1, maxLength: 500, pattern: '^[\\x21-\\x7E]+$', description: 'The client id the provider issued (saml: our SP entity id, when not the metadata URL).' })),
    client_secret: Type.Optional(secret),
    settings: Type.Optional(Settings),
    enabled: Type.Optional(Type.Boolean()),
  },
  closed,
);
const UpdateBody = Type.Object(
  { name: Type.Optional(text(100, { minLength: 1 })), client_id: Type.Optional(Type.String({ minLength: 1, maxLength: 500, pattern: '^[\\x21-\\x7E]+$' })), settings: Type.Optional(Settings), enabled: Type.Optional(Type.Boolean()) },
  { ...closed, minProperties: 1 },
);

const IdentityParams = Type.Object({ ...UserParams.properties, identityId: opaqueId('Linked identity id (`fid_…`).') }, closed);
const IdentityWire = Type.Object(
  {
    id: Type.String({ description: 'Linked identity id (`fid_…`).' }),
    connection_id: Type.String(),
    connection_name: Type.String(),
    subject: Type.String({ description: "The upstream's subject (`sub`, or its account id)." }),
    has_tokens: Type.Boolean({ description: "The upstream's tokens are kept (the connection has `store_upstream_tokens`)." }),
    created_at: timestamp('When it was linked.'),
    last_used_at: timestamp('Its last sign-in.'),
  },
  closed,
);
const UpstreamTokens = Type.Object(
  {
    access_token: Type.String(),
    token_type: Type.Optional(Type.String()),
    refresh_token: Type.Optional(Type.String()),
    expires_at: Type.Optional(timestamp('When the access token expires.')),
    scope: Type.Optional(Type.String()),
  },
  closed,
);

type WireSettings = Static<typeof Settings>;
type SamlWire = NonNullable<WireSettings['saml']>;

/** Settings that are the same value on both sides, under these names: [ours, the wire's]. */
const SAME_VALUE: readonly (readonly [keyof ConnectionSettings, keyof WireSettings])[] = [
  ['iconUrl', 'icon_url'],
  ['scopes', 'scopes'],
  ['issuer', 'issuer'],
  ['authorizationEndpoint', 'authorization_endpoint'],
  ['tokenEndpoint', 'token_endpoint'],
  ['userinfoEndpoint', 'userinfo_endpoint'],
  ['emailsEndpoint', 'emails_endpoint'],
  ['apps', 'apps'],
  ['domains', 'domains'],
  ['organizationId', 'organization_id'],
  ['trustUpstreamAmr', 'trust_upstream_amr'],
  ['storeUpstreamTokens', 'store_upstream_tokens'],
  ['responseMode', 'response_mode'],
  ['allowedTenants', 'allowed_tenants'],
];
const MAPPING: readonly (readonly [keyof ConnectionMapping, keyof NonNullable<WireSettings['mapping']>])[] = [
  ['email', 'email'],
  ['emailVerified', 'email_verified'],
  ['name', 'name'],
  ['givenName', 'given_name'],
  ['familyName', 'family_name'],
  ['picture', 'picture'],
];

/** Renames keys by `pairs` (from → to), leaving out what is absent. */
function renamed(from: Record<string, unknown>, pairs: readonly (readonly [string, string])[]): Record<string, unknown> {
  return Object.fromEntries(pairs.filter(([f]) => from[f] !== undefined).map(([f, t]) => [t, from[f]]));
}
const flip = <A, B>(pairs: readonly (readonly [A, B])[]) => pairs.map(([a, b]) => [b, a] as const);

/** The IdP as given: its metadata document read first, then any field given on top of it. */
function samlFromWire(w: SamlWire): Partial<SamlIdpSettings> {
  return {
    ...(w.metadata_xml !== undefined ? parseIdpMetadata(w.metadata_xml) : {}),
    ...(w.entity_id !== undefined ? { entityId: w.entity_id } : {}),
    ...(w.sso_url !== undefined ? { ssoUrl: w.sso_url } : {}),
    ...(w.certificates !== undefined ? { certificates: w.certificates } : {}),
    ...(w.clock_skew_seconds !== undefined ? { clockSkewSeconds: w.clock_skew_seconds } : {}),
  };
}

function settingsFromWire(w: WireSettings): Partial<ConnectionSettings> {
  return {
    ...renamed(w, flip(SAME_VALUE)),
    ...(w.mapping ? { mapping: renamed(w.mapping, flip(MAPPING)) } : {}),
    ...(w.apple ? { apple: { teamId: w.apple.team_id, keyId: w.apple.key_id } } : {}),
    ...(w.saml ? { saml: samlFromWire(w.saml) as SamlIdpSettings } : {}),
  } as Partial<ConnectionSettings>;
}

function settingsToWire(s: ConnectionSettings): WireSettings {
  const idp = s.saml;
  return {
    ...renamed(s as unknown as Record<string, unknown>, SAME_VALUE),
    ...(s.mapping ? { mapping: renamed(s.mapping as Record<string, unknown>, MAPPING) } : {}),
    ...(s.apple ? { apple: { team_id: s.apple.teamId, key_id: s.apple.keyId } } : {}),
    ...(idp ? { saml: { entity_id: idp.entityId, sso_url: idp.ssoUrl, certificates: idp.certificates, ...(idp.clockSkewSeconds !== undefined ? { clock_skew_seconds: idp.clockSkewSeconds } : {}) } } : {}),
  } as WireSettings;
}

function serviceProviderWire(services: Services, c: Connection) {
  const sp = samlServiceProvider(services.config.baseUrl, c);
  return { entity_id: sp.entityId, acs_url: sp.acsUrl, metadata_url: sp.metadataUrl };
}

export function connectionToWire(services: Services, c: Connection) {
  return {
    id: c.id,
    type: c.type,
    preset: c.preset,
    name: c.name,
    client_id: c.clientId,
    has_secret: c.hasSecret,
    redirect_uri: callbackUrl(services, c.tenantId, c.id),
    ...(c.type === 'saml' ? { service_provider: serviceProviderWire(services, c) } : {}),
    settings: settingsToWire(c.settings),
    enabled: c.enabled,
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
  };
}

export function registerConnectionRoutes(app: AdminApp, services: Services): void {
  const { store } = services;
  const wire = (c: Connection) => connectionToWire(services, c);

  app.get('/tenants/:tenantId/connections', { schema: { tags, summary: 'List upstream identity providers', params: TenantParams, response: { 200: Type.Object({ items: Type.Array(ConnectionWire) }, closed), ...errorResponses(404) } } }, async (request) => {
    const tenant = await requireTenant(store, request.params.tenantId);
    return { items: (await store.connections.list(tenant.id)).map(wire) };
  });

  app.post(
    '/tenants/:tenantId/connections',
    {
      schema: {
        tags,
        summary: 'Add an upstream identity provider',
        description: 'A `preset` (`google`, `microsoft`, `apple`, `github`) fills in the type, issuer or endpoints and scopes; anything given wins. Register `redirect_uri` of the answer at the provider.',
        params: TenantParams,
        body: CreateBody,
        response: { 201: ConnectionWire, ...errorResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      const b = request.body;
      const connection = await createConnection(
        services,
        tenant,
        {
          ...(b.client_id !== undefined ? { clientId: b.client_id } : {}),
          ...(b.type ? { type: b.type } : {}),
          ...(b.preset ? { preset: b.preset as ConnectionPreset } : {}),
          ...(b.name !== undefined ? { name: b.name } : {}),
          ...(b.client_secret !== undefined ? { clientSecret: b.client_secret } : {}),
          ...(b.settings ? { settings: settingsFromWire(b.settings) } : {}),
          ...(b.enabled !== undefined ? { enabled: b.enabled } : {}),
        },
        adminContext(request),
      );
      return reply.status(201).send(wire(connection));
    },
  );

  app.get('/tenants/:tenantId/connections/:connectionId', { schema: { tags, summary: 'Get an upstream identity provider', params: ConnectionParams, response: { 200: ConnectionWire, ...errorResponses(404) } } }, async (request) => {
    const tenant = await requireTenant(store, request.params.tenantId);
    return wire(await requireConnection(store, tenant.id, request.params.connectionId));
  });

  app.patch('/tenants/:tenantId/connections/:connectionId', { schema: { tags, summary: 'Change an upstream identity provider', description: 'Given settings are merged into the current ones.', params: ConnectionParams, body: UpdateBody, response: { 200: ConnectionWire, ...errorResponses(400, 404, 409) } } }, async (request) => {
    const tenant = await requireTenant(store, request.params.tenantId);
    const b = request.body;
    return wire(
      await updateConnection(
        services,
        tenant,
        request.params.connectionId,
        { ...(b.name !== undefined ? { name: b.name } : {}), ...(b.client_id !== undefined ? { clientId: b.client_id } : {}), ...(b.settings ? { settings: settingsFromWire(b.settings) } : {}), ...(b.enabled !== undefined ? { enabled: b.enabled } : {}) },
        adminContext(request),
      ),
    );
  });

  app.post(
    '/tenants/:tenantId/connections/:connectionId/secret',
    { schema: { tags, summary: 'Replace the client secret', description: 'The new secret from the provider; it is used from now on and never returned.', params: ConnectionParams, body: Type.Object({ client_secret: secret }, closed), response: { 200: ConnectionWire, ...errorResponses(400, 404) } } },
    async (request) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      return wire(await rotateConnectionSecret(services, tenant, request.params.connectionId, request.body.client_secret, adminContext(request)));
    },
  );

  // ---- a user's linked identities ----------------------------------------------------------------
  const identityOf = async (tenantId: string, userId: string, identityId: string) => {
    const identity = (await listFederatedIdentities(store, tenantId, userId)).find((i) => i.id === identityId);
    if (!identity) throw new FrontdoorError('request.not_found');
    return identity;
  };

  app.get('/tenants/:tenantId/users/:userId/identities', { schema: { tags, summary: "List a user's linked upstream identities", params: UserParams, response: { 200: Type.Object({ items: Type.Array(IdentityWire) }, closed), ...errorResponses(404) } } }, async (request) => {
    const tenant = await requireTenant(store, request.params.tenantId);
    const items = await listFederatedIdentities(store, tenant.id, request.params.userId);
    return { items: items.map((i) => ({ id: i.id, connection_id: i.connectionId, connection_name: i.connectionName, subject: i.subject, has_tokens: i.hasTokens, created_at: iso(i.createdAt), last_used_at: iso(i.lastUsedAt) })) };
  });

  app.get(
    '/tenants/:tenantId/users/:userId/identities/:identityId/tokens',
    {
      schema: {
        tags,
        summary: "The upstream's tokens kept for a linked identity",
        description: 'For apps that call the upstream API on the user\'s behalf: kept only when the connection has `store_upstream_tokens`, sealed at rest, updated at each sign-in through it. Every read is audited.',
        params: IdentityParams,
        response: { 200: UpstreamTokens, ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      const identity = await identityOf(tenant.id, request.params.userId, request.params.identityId);
      const kept = await store.federatedIdentities.tokensOf(tenant.id, identity.id);
      if (!kept) throw new FrontdoorError('request.not_found', { detail: 'no upstream tokens kept' });
      await services.audit.record(adminContext(request), { tenantId: tenant.id, action: 'admin.upstream_tokens_read', result: 'success', subject: identity.userId, details: { identity: identity.id, connection: identity.connectionId } });
      const tokens = JSON.parse(kept) as { access_token: string; token_type?: string; refresh_token?: string; expires_at?: number; scope?: string };
      reply.header('cache-control', 'no-store');
      const { expires_at: expiresAt, ...rest } = tokens;
      return { ...rest, ...(expiresAt !== undefined ? { expires_at: iso(expiresAt) } : {}) };
    },
  );

  app.delete('/tenants/:tenantId/users/:userId/identities/:identityId', { schema: { tags, summary: 'Unlink an upstream identity', description: 'The account stays; that upstream account can then sign up or link anew.', params: IdentityParams, response: { 204: NoContent, ...errorResponses(404) } } }, async (request, reply) => {
    const tenant = await requireTenant(store, request.params.tenantId);
    const identity = await identityOf(tenant.id, request.params.userId, request.params.identityId);
    if (!(await store.federatedIdentities.delete(tenant.id, identity.userId, identity.id))) throw new FrontdoorError('request.not_found');
    await services.audit.record(adminContext(request), { tenantId: tenant.id, action: 'admin.identity_unlinked', result: 'success', subject: identity.userId, details: { identity: identity.id, connection: identity.connectionId } });
    return reply.status(204).send(null);
  });

  app.delete('/tenants/:tenantId/connections/:connectionId', { schema: { tags, summary: 'Delete an upstream identity provider', description: 'The identities linked through it go with it; the accounts stay.', params: ConnectionParams, response: { 204: NoContent, ...errorResponses(404) } } }, async (request, reply) => {
    const tenant = await requireTenant(store, request.params.tenantId);
    await deleteConnection(services, tenant, request.params.connectionId, adminContext(request));
    return reply.status(204).send(null);
  });
}
