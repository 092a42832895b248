// The pages the provider renders itself (sign-out confirmation, signed out, device code, protocol
// error), drawn with our templates and sent with our security headers. A form that ends in a
// redirect to an app is allowed to by `form-action` naming that app's origin, and nothing else.
import type { IncomingMessage } from 'node:http';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { Tenant } from '../core/ports.ts';
import { negotiateLocale } from '../pages/i18n/index.ts';
import type { PageContext } from '../pages/layout.ts';
import { type DeviceForm, renderDeviceCodePage, renderFrontchannelLogoutPage, renderDeviceConfirmPage, renderDeviceDonePage, renderLogoutConfirmPage, renderOidcErrorPage, renderSignedOutPage } from '../pages/views/oidc.ts';
import { CONTENT_SECURITY_POLICY, cspWithFormTargets } from '../pages/csp.ts';

export interface OidcPages {
  logoutConfirm(ctx: KoaContextWithOIDC, tenant: Tenant, form: string): Promise<void>;
  signedOut(ctx: KoaContextWithOIDC, tenant: Tenant): Promise<void>;
  deviceCode(ctx: KoaContextWithOIDC, tenant: Tenant, form: string, error: boolean): Promise<void>;
  deviceConfirm(ctx: KoaContextWithOIDC, tenant: Tenant, form: string, appName: string, userCode: string): Promise<void>;
  deviceDone(ctx: KoaContextWithOIDC, tenant: Tenant, appName: string): Promise<void>;
  /** Signed out: loads each app's front-channel logout URI in a hidden frame, then goes on to `next`. */
  frontchannelLogout(ctx: KoaContextWithOIDC, tenant: Tenant, model: { frames: string[]; next: string }): Promise<void>;
  error(ctx: KoaContextWithOIDC, tenant: Tenant, out: Record<string, unknown>): Promise<void>;
}


function pageContext(ctx: KoaContextWithOIDC, tenant: Tenant): PageContext {
  const lang = typeof ctx.query.lang === 'string' ? ctx.query.lang : ctx.cookies.get('__Host-fd-lang', { signed: false });
  return {
    locale: negotiateLocale(ctx.get('accept-language') || undefined, lang),
    tenant: { id: tenant.id, name: tenant.name, branding: tenant.branding },
    csrfToken: '', // provider forms carry the provider's own xsrf field
    // The public path: our mount strips `/t/{tenant}/oidc` before the provider sees the request.
    currentUrl: (ctx.req as IncomingMessage & { originalUrl?: string }).originalUrl ?? ctx.originalUrl,
  };
}

function send(ctx: KoaContextWithOIDC, body: string, csp = CONTENT_SECURITY_POLICY, status?: number): void {
  ctx.type = 'text/html; charset=utf-8';
  ctx.set('content-security-policy', csp);
  ctx.set('cache-control', 'no-store');
  if (status !== undefined) ctx.status = status;
  ctx.body = body;
}

/**
 * The endpoint and anti-forgery value of a device form the provider generated. The provider's
 * markup itself (an unlabelled input, inline event handlers) is not shown: our pages draw their
 * own accessible form that posts the same fields.
 */
function deviceForm(providerForm: string): DeviceForm {
  const action = /\baction="([^"]+)"/.exec(providerForm)?.[1];
  const xsrf = /name="xsrf" value="([^"]+)"/.exec(providerForm)?.[1];
  if (!action || !xsrf) throw new Error('unexpected device form from the provider');
  return { action: action.replace(/&amp;/g, '&'), xsrf };
}

function appName(ctx: KoaContextWithOIDC): string | null {
  const client = ctx.oidc?.client;
  return client ? (client.clientName ?? client.clientId) : null;
}

export function createOidcPages(): OidcPages {
  return {
    async logoutConfirm(ctx, tenant, form) {
      const params = (ctx.oidc?.params ?? {}) as Record<string, unknown>;
      const target = typeof params.post_logout_redirect_uri === 'string' ? params.post_logout_redirect_uri : undefined;
      send(ctx, renderLogoutConfirmPage(pageContext(ctx, tenant), { appName: appName(ctx), providerForm: form }), cspWithFormTargets([target]));
    },
    async signedOut(ctx, tenant) {
      send(ctx, renderSignedOutPage(pageContext(ctx, tenant), { appName: appName(ctx) }));
    },
    async deviceCode(ctx, tenant, form, error) {
      send(ctx, renderDeviceCodePage(pageContext(ctx, tenant), { form: deviceForm(form), error }), CONTENT_SECURITY_POLICY, error ? 400 : undefined);
    },
    async deviceConfirm(ctx, tenant, form, name, userCode) {
      send(ctx, renderDeviceConfirmPage(pageContext(ctx, tenant), { form: deviceForm(form), appName: name, userCode }));
    },
    async deviceDone(ctx, tenant, name) {
      send(ctx, renderDeviceDonePage(pageContext(ctx, tenant), { appName: name }));
    },
    async frontchannelLogout(ctx, tenant, { frames, next }) {
      // Frames only for the apps' own logout URIs; the page itself still cannot be framed.
      const origins = [...new Set(frames.map((frame) => new URL(frame).origin))];
      const csp = `${CONTENT_SECURITY_POLICY}; frame-src ${origins.join(' ')}`;
      send(ctx, renderFrontchannelLogoutPage(pageContext(ctx, tenant), { frames, next }), csp, 200);
    },
    async error(ctx, tenant, out) {
      const error = typeof out.error === 'string' ? out.error : 'invalid_request';
      const description = typeof out.error_description === 'string' ? out.error_description : null;
      send(ctx, String(renderOidcErrorPage(pageContext(ctx, tenant), { error, description })), CONTENT_SECURITY_POLICY, ctx.status >= 400 ? ctx.status : 400);
    },
  };
}
