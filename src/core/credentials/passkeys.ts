// Passkeys (WebAuthn), through the maintained `@simplewebauthn/server`: ceremony options, checks of
// the browser's answers (challenge, origin, relying party id, signature, user verification) and
// the credential records. Challenges come from webauthn-challenge.ts and are recorded as used when
// redeemed. A signature counter that does not move forward (a cloned authenticator, or a replay
// racing the original) is refused.
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { passkeyAmr } from '../auth/acr.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { RequestContext } from '../context.ts';
import { FrontdoorError } from '../errors.ts';
import type { Clock, Passkey, SignInMethodNotifier, Store, Tenant, User } from '../ports.ts';
import { hashToken, newId } from '../secrets.ts';
import { checkChallenge, issueChallenge, type ChallengeBinding } from './webauthn-challenge.ts';

export const PASSKEY_NAME_MAX = 60;
/** How long the browser waits for the person (ms). */
const CEREMONY_TIMEOUT_MS = 300_000;
/** Bounds what a browser may send before any parsing work is done. */
const MAX_RESPONSE_CHARS = 16_384;

export interface RelyingParty {
  id: string;
  name: string;
  origins: string[];
}

/** The tenant's relying party: its settings, else the host and origin of the base URL. */
export function relyingParty(tenant: Tenant, baseUrl: URL): RelyingParty {
  return { id: tenant.settings.passkeyRpId ?? baseUrl.hostname, name: tenant.name, origins: tenant.settings.passkeyOrigins ?? [baseUrl.origin] };
}

export function passkeysEnabled(tenant: Tenant): boolean {
  return tenant.settings.passkeys ?? true;
}

/** The WebAuthn user handle of a user: their opaque id (random, no personal data). */
export function userHandle(user: Pick<User, 'id'>): string {
  return Buffer.from(user.id, 'utf8').toString('base64url');
}

/** Whether the tenant's AAGUID lists let this authenticator model register. */
export function aaguidAllowed(tenant: Tenant, aaguid: string): boolean {
  const normalized = aaguid.toLowerCase();
  const allow = tenant.settings.passkeyAaguidAllow;
  if (allow && allow.length > 0 && !allow.some((a) => a.toLowerCase() === normalized)) return false;
  return !(tenant.settings.passkeyAaguidDeny ?? []).some((a) => a.toLowerCase() === normalized);
}

/** The credential id a browser's answer names, without trusting anything else in it. */
export function answeredCredentialId(response: unknown): string | null {
  const id = (response as { id?: unknown } | null)?.id;
  return typeof id === 'string' && /^[A-Za-z0-9_-]{1,1366}$/.test(id) ? id : null;
}

/** Parses the JSON the page posts; anything that is not a credential object is refused early. */
export function parseCeremonyResponse(text: unknown): unknown {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_RESPONSE_CHARS) throw new FrontdoorError('passkey.failed', { detail: 'missing or oversized response' });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FrontdoorError('passkey.failed', { detail: 'response is not JSON' });
  }
  const candidate = value as { id?: unknown; rawId?: unknown; type?: unknown; response?: unknown } | null;
  if (!candidate || typeof candidate !== 'object' || answeredCredentialId(candidate) === null || candidate.type !== 'public-key' || typeof candidate.response !== 'object' || candidate.response === null) {
    throw new FrontdoorError('passkey.failed', { detail: 'response is not a public-key credential' });
  }
  return candidate;
}

/** What an assertion is for: a sign-in (any passkey of the tenant), or a known user's proof — the second step of a sign-in flow, or a re-authentication in a session. */
export type AssertionBinding = { purpose: 'sign_in' } | { purpose: 'second_factor'; flowId: string; userId: string } | { purpose: 'reauth'; sessionId: string; userId: string };

export interface PasskeyServiceDeps {
  store: Store;
  clock: Clock;
  audit: AuditLog;
  baseUrl: URL;
  /** MAC key of the stateless challenges. */
  challengeKey: Buffer;
  notify: SignInMethodNotifier;
}

export interface PasskeyAssertion {
  passkey: Passkey;
  userVerified: boolean;
  /** RFC 8176 methods this assertion proves. */
  amr: string[];
}

export interface PasskeyService {
  registrationOptions(tenant: Tenant, user: User, sessionId: string): Promise<PublicKeyCredentialCreationOptionsJSON>;
  /** Checks the browser's answer to `registrationOptions` and stores the passkey. */
  register(tenant: Tenant, user: User, sessionId: string, response: unknown, name: string, ctx: RequestContext): Promise<Passkey>;
  /**
   * Options for a sign-in (discoverable: any of the tenant's passkeys, user verification
   * required) or for a second factor (the flow's user's passkeys).
   */
  authenticationOptions(tenant: Tenant, binding: AssertionBinding): Promise<PublicKeyCredentialRequestOptionsJSON>;
  /** Checks an assertion. `expectUserId` (second factor) must own the passkey. */
  verifyAssertion(tenant: Tenant, binding: AssertionBinding, response: unknown): Promise<PasskeyAssertion>;
  list(tenant: Tenant, userId: string): Promise<Passkey[]>;
  rename(tenant: Tenant, user: User, id: string, name: unknown, ctx: RequestContext): Promise<void>;
  remove(tenant: Tenant, user: User, id: string, ctx: RequestContext): Promise<void>;
}

/** A user-given name: trimmed, without control characters, 1–60 characters. */
export function normalizePasskeyName(name: unknown): string | null {
  if (typeof name !== 'string') return null;
  const cleaned = name.replace(/[\p{Cc}\p{Cf}]/gu, '').trim();
  return cleaned.length >= 1 && cleaned.length <= PASSKEY_NAME_MAX ? cleaned : null;
}

export function createPasskeyService(deps: PasskeyServiceDeps): PasskeyService {
  const { store, clock, audit } = deps;

  /** The expectedChallenge check: ours, for this binding, unexpired, and never redeemed before. */
  function challengeCheck(binding: ChallengeBinding): (challenge: string) => Promise<boolean> {
    return async (challenge) => {
      const valid = checkChallenge(deps.challengeKey, binding, challenge, clock.now());
      if (!valid) return false;
      return store.webauthnChallenges.markUsed(binding.tenantId, hashToken(challenge), valid.expiresAt);
    };
  }

  function bindingFor(tenant: Tenant, b: AssertionBinding): ChallengeBinding {
    return { tenantId: tenant.id, purpose: b.purpose, subject: b.purpose === 'second_factor' ? b.flowId : b.purpose === 'reauth' ? b.sessionId : '' };
  }

  function requireEnabled(tenant: Tenant): void {
    if (!passkeysEnabled(tenant)) throw new FrontdoorError('passkey.disabled');
  }

  return {
    async registrationOptions(tenant, user, sessionId) {
      requireEnabled(tenant);
      const rp = relyingParty(tenant, deps.baseUrl);
      const existing = await store.passkeys.listForUser(tenant.id, user.id);
      const hasAaguidPolicy = Boolean(tenant.settings.passkeyAaguidAllow?.length || tenant.settings.passkeyAaguidDeny?.length);
      return generateRegistrationOptions({
        rpName: rp.name,
        rpID: rp.id,
        userName: user.email,
        userID: new Uint8Array(Buffer.from(user.id, 'utf8')),
        userDisplayName: user.email,
        challenge: issueChallenge(deps.challengeKey, { tenantId: tenant.id, purpose: 'register', subject: sessionId }, clock.now()),
        timeout: CEREMONY_TIMEOUT_MS,
        // The model (AAGUID) is only needed when the tenant has a list; otherwise ask for nothing.
        attestationType: hasAaguidPolicy ? 'direct' : 'none',
        excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports })),
        authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
      });
    },

    async register(tenant, user, sessionId, response, name, ctx) {
      requireEnabled(tenant);
      const rp = relyingParty(tenant, deps.baseUrl);
      let verification;
      try {
        verification = await verifyRegistrationResponse({
          response: response as RegistrationResponseJSON,
          expectedChallenge: challengeCheck({ tenantId: tenant.id, purpose: 'register', subject: sessionId }),
          expectedOrigin: rp.origins,
          expectedRPID: rp.id,
          requireUserVerification: false,
        });
      } catch (cause) {
        await audit.record(ctx, { tenantId: tenant.id, action: 'user.passkey_added', result: 'failure', reason: 'verification', subject: user.id });
        throw new FrontdoorError('passkey.failed', { cause, detail: cause instanceof Error ? cause.message : 'registration check failed' });
      }
      if (!verification.verified) throw new FrontdoorError('passkey.failed', { detail: 'registration not verified' });
      const info = verification.registrationInfo;
      if (!aaguidAllowed(tenant, info.aaguid)) {
        await audit.record(ctx, { tenantId: tenant.id, action: 'user.passkey_added', result: 'failure', reason: 'aaguid_policy', subject: user.id, details: { aaguid: info.aaguid } });
        throw new FrontdoorError('passkey.not_allowed');
      }
      if (await store.passkeys.findByCredentialId(tenant.id, info.credential.id)) throw new FrontdoorError('passkey.exists');
      const now = clock.now();
      const passkey: Passkey = {
        id: newId('pk'),
        tenantId: tenant.id,
        userId: user.id,
        credentialId: info.credential.id,
        publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
        signCount: info.credential.counter,
        transports: (info.credential.transports ?? []).map(String),
        backupEligible: info.credentialDeviceType === 'multiDevice',
        backedUp: info.credentialBackedUp,
        aaguid: info.aaguid,
        name: normalizePasskeyName(name) ?? 'Passkey',
        createdAt: now,
        lastUsedAt: null,
      };
      await store.passkeys.create(passkey);
      await audit.record(ctx, { tenantId: tenant.id, action: 'user.passkey_added', result: 'success', subject: user.id, details: { passkeyId: passkey.id, aaguid: passkey.aaguid, synced: passkey.backupEligible } });
      await deps.notify(tenant, user, 'passkey_added', ctx.locale);
      return passkey;
    },

    async authenticationOptions(tenant, binding) {
      requireEnabled(tenant);
      const rp = relyingParty(tenant, deps.baseUrl);
      const allowCredentials = binding.purpose !== 'sign_in' ? (await store.passkeys.listForUser(tenant.id, binding.userId)).map((p) => ({ id: p.credentialId, transports: p.transports })) : undefined;
      return generateAuthenticationOptions({
        rpID: rp.id,
        challenge: issueChallenge(deps.challengeKey, bindingFor(tenant, binding), clock.now()),
        timeout: CEREMONY_TIMEOUT_MS,
        // Signing in with the passkey alone needs the person verified (biometric or PIN): then it
        // is two factors in one. As a second factor, possession is what counts.
        userVerification: binding.purpose === 'sign_in' ? 'required' : 'preferred',
        ...(allowCredentials ? { allowCredentials } : {}),
      });
    },

    async verifyAssertion(tenant, binding, response) {
      requireEnabled(tenant);
      const rp = relyingParty(tenant, deps.baseUrl);
      const credentialId = answeredCredentialId(response);
      const passkey = credentialId ? await store.passkeys.findByCredentialId(tenant.id, credentialId) : null;
      if (!passkey) throw new FrontdoorError('passkey.unknown_credential');
      if (binding.purpose !== 'sign_in' && passkey.userId !== binding.userId) throw new FrontdoorError('passkey.failed', { detail: 'passkey of another user' });
      const answered = response as AuthenticationResponseJSON;
      // A discoverable credential names its user; it must be the passkey's owner.
      if (answered.response?.userHandle !== undefined && answered.response.userHandle !== userHandle({ id: passkey.userId })) {
        throw new FrontdoorError('passkey.failed', { detail: 'user handle does not match the passkey' });
      }
      let verification;
      try {
        verification = await verifyAuthenticationResponse({
          response: answered,
          expectedChallenge: challengeCheck(bindingFor(tenant, binding)),
          expectedOrigin: rp.origins,
          expectedRPID: rp.id,
          credential: { id: passkey.credentialId, publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')), counter: passkey.signCount, transports: passkey.transports },
          requireUserVerification: binding.purpose === 'sign_in',
        });
      } catch (cause) {
        throw new FrontdoorError('passkey.failed', { cause, detail: cause instanceof Error ? cause.message : 'assertion check failed' });
      }
      if (!verification.verified) throw new FrontdoorError('passkey.failed', { detail: 'assertion not verified' });
      const { newCounter, userVerified, credentialBackedUp } = verification.authenticationInfo;
      if (!(await store.passkeys.recordUse(passkey.id, newCounter, credentialBackedUp, clock.now()))) {
        throw new FrontdoorError('passkey.failed', { detail: `signature counter did not move forward (${newCounter})` });
      }
      return { passkey, userVerified, amr: passkeyAmr(passkey.backupEligible, userVerified) };
    },

    async list(tenant, userId) {
      return store.passkeys.listForUser(tenant.id, userId);
    },

    async rename(tenant, user, id, name, ctx) {
      const cleaned = normalizePasskeyName(name);
      if (!cleaned) throw new FrontdoorError('request.invalid', { field: 'name' });
      if (!(await store.passkeys.rename(tenant.id, user.id, id, cleaned))) throw new FrontdoorError('passkey.not_found');
      await audit.record(ctx, { tenantId: tenant.id, action: 'user.passkey_renamed', result: 'success', subject: user.id, details: { passkeyId: id } });
    },

    async remove(tenant, user, id, ctx) {
      if (!(await store.passkeys.delete(tenant.id, user.id, id))) throw new FrontdoorError('passkey.not_found');
      await audit.record(ctx, { tenantId: tenant.id, action: 'user.passkey_removed', result: 'success', subject: user.id, details: { passkeyId: id } });
      await deps.notify(tenant, user, 'passkey_removed', ctx.locale);
    },
  };
}
