// Applications as oidc-provider clients. The provider asks its `Client` adapter by client id on
// every use, so a change to an app is seen by every node at the next request. The provider never
// sees a real client secret: it gets a placeholder derived from the master key, and secret
// checks are ours (SHA-256 + constant-time compare, the previous secret during its overlap).
import { clientAuthMethod } from '../core/apps/app-admin.ts';
import type { Application } from '../core/ports.ts';
import { hmac } from '../core/secrets.ts';

const CUSTOM_SCHEME = /^[a-z][a-z0-9+.-]*\.[a-z0-9+.-]+:$/;

/** Native apps use custom-scheme or loopback redirects; oidc-provider validates those by type. */
function applicationType(app: Application): 'web' | 'native' {
  return app.redirectUris.some((uri) => CUSTOM_SCHEME.test(new URL(uri).protocol)) ? 'native' : 'web';
}

// The same Application object (from the lookup cache) maps to the same metadata: no HMAC per request.
const metadataByApp = new WeakMap<Application, Record<string, unknown>>();

/** What oidc-provider's schema takes: snake_case client metadata. */
export function clientMetadata(app: Application, placeholderKey: Buffer): Record<string, unknown> {
  let metadata = metadataByApp.get(app);
  if (!metadata) {
    metadata = buildClientMetadata(app, placeholderKey);
    metadataByApp.set(app, metadata);
  }
  return metadata;
}

function buildClientMetadata(app: Application, placeholderKey: Buffer): Record<string, unknown> {
  const method = clientAuthMethod(app);
  const usesSecret = method === 'client_secret_basic' || method === 'client_secret_post';
  return {
    client_id: app.clientId,
    client_name: app.name,
    ...(usesSecret ? { client_secret: `fd-placeholder.${hmac(placeholderKey, `${app.tenantId}:${app.clientId}`)}` } : {}),
    application_type: applicationType(app),
    redirect_uris: app.redirectUris,
    post_logout_redirect_uris: app.postLogoutRedirectUris,
    grant_types: app.grantTypes,
    response_types: app.grantTypes.includes('authorization_code') ? ['code'] : [],
    token_endpoint_auth_method: method,
    id_token_signed_response_alg: app.oidc.idTokenSignedResponseAlg ?? 'ES256',
    ...(app.oidc.jwks ? { jwks: app.oidc.jwks } : {}),
    ...(app.oidc.backchannelLogoutUri ? { backchannel_logout_uri: app.oidc.backchannelLogoutUri, backchannel_logout_session_required: true } : {}),
    subject_type: app.oidc.subjectType ?? 'public',
  };
}
