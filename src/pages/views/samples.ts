// Every page rendered once from given values: the tests feed it attack strings, the screenshot
// script realistic data. Not used by the server.

import type { PageContext } from '../layout.ts';
import { renderAccountPage } from './account.ts';
import { renderCheckEmailPage } from './check-email.ts';
import { renderErrorPage } from './error.ts';
import { renderForgotPage } from './forgot.ts';
import { renderLoginPage } from './login.ts';
import { renderMailboxPage } from './mailbox.ts';
import { renderRegisterPage } from './register.ts';
import { renderProfilePromptPage } from './profile-prompt.ts';
import { renderResetInvalidPage, renderResetPage } from './reset.ts';
import type { FormErrors } from './types.ts';
import { renderVerifyPage, renderVerifyResultPage } from './verify.ts';
import { renderMfaNudgePage, renderPhoneConfirmPage, renderRecoveryCodesPage, renderSecondFactorPage, renderTotpSetupPage } from './second-factor.ts';
import { renderPasskeyOfferDonePage, renderPasskeyOfferPage } from './passkeys.ts';
import { renderInvitationPage } from './invitation.ts';
import { renderOrganizationAdminPage } from './organization-admin.ts';
import { renderHouseholdInvitationPage, renderHouseholdLimitPage, renderHouseholdPage, renderProfilePickerPage } from './household.ts';
import { renderLinkAccountPage } from './federation.ts';
import { renderContinuePage, renderEmailCodePage, renderMagicLinkInvalidPage, renderMagicLinkOtherDevicePage, renderMagicLinkPage } from './email-sign-in.ts';

export interface SampleValues {
  email: string;
  token: string;
  device: string;
  ip: string;
  sessionId: string;
  mailTo: string;
  mailSubject: string;
  mailText: string;
}

export interface RenderedPage {
  name: string;
  html: string;
}

/** 12 March 2025, 14:05 UTC. */
export const SAMPLE_NOW = Date.UTC(2025, 2, 12, 14, 5);

export function renderAllPages(ctx: PageContext, values: SampleValues, options: { withErrors: boolean }): RenderedPage[] {
  const minLength = 15;
  const loginErrors: FormErrors | undefined = options.withErrors
    ? { form: 'auth.invalid_credentials', fields: { email: 'email.invalid' } }
    : undefined;
  const passwordErrors: FormErrors | undefined = options.withErrors
    ? { fields: { email: 'email.invalid', password: 'password.common' } }
    : undefined;
  const hour = 3_600_000;
  const sessions = [
    { id: `${values.sessionId}-1`, current: true, device: values.device, ip: values.ip, createdAt: SAMPLE_NOW - 2 * hour, lastSeenAt: SAMPLE_NOW },
    { id: values.sessionId, current: false, device: values.device, ip: values.ip, createdAt: SAMPLE_NOW - 50 * hour, lastSeenAt: SAMPLE_NOW - 5 * hour },
    { id: `${values.sessionId}-3`, current: false, device: values.device, ip: null, createdAt: SAMPLE_NOW - 400 * hour, lastSeenAt: SAMPLE_NOW - 30 * hour },
  ];
  const mails = [
    { id: 'mail-1', to: values.mailTo, subject: values.mailSubject, text: values.mailText, createdAt: SAMPLE_NOW - hour, sentAt: null },
    { id: 'mail-2', to: values.mailTo, subject: values.mailSubject, text: values.mailText, createdAt: SAMPLE_NOW, sentAt: SAMPLE_NOW + 1000 },
  ];
  // WebAuthn options carry values the server chose; a hostile one must stay inert in data-options.
  const ceremony = (action: string) => ({ action, options: { challenge: values.token, rpId: 'id.example.com', user: { name: values.email } } });
  const passkeys = [
    { id: 'pk_1', name: values.device, synced: true, createdAt: SAMPLE_NOW - 40 * hour, lastUsedAt: SAMPLE_NOW - hour },
    { id: 'pk_2', name: values.email, synced: false, createdAt: SAMPLE_NOW - 4 * hour, lastUsedAt: null },
  ];
  return [
    {
      name: 'login',
      html: renderLoginPage(ctx, {
        email: values.email,
        errors: loginErrors,
        notice: options.withErrors ? undefined : 'verified',
        showResendVerification: options.withErrors,
        passkey: ceremony('/t/acme/login/passkey'),
        emailSignInAction: '/t/acme/login/email',
        connections: [{ name: values.device, href: `/t/acme/connections/${values.token}/start` }, { name: values.email, iconUrl: 'data:image/png;base64,iVBORw0KGgo=', href: '/t/acme/connections/con_2/start' }],
        singleSignOn: !options.withErrors,
        ...(options.withErrors ? { passkeySignal: { rpId: 'id.example.com', unknownCredentialId: values.token } } : {}),
      }),
    },
    {
      name: 'register',
      html: renderRegisterPage(ctx, {
        email: values.email,
        errors: passwordErrors,
        minLength,
        profileFields: [{ name: 'given_name', attribute: { type: 'string', title: 'First <name>', maxLength: 50 }, value: values.email, required: true }],
      }),
    },
    {
      name: 'profile-prompt',
      html: renderProfilePromptPage(ctx, {
        action: '/t/acme/profile/complete',
        next: '/t/acme/account',
        appName: 'Photo <Print> & Co',
        skippable: !options.withErrors,
        fields: [
          { name: 'address', attribute: { type: 'string', title: 'Postal "address"', maxLength: 500 }, value: values.email, required: false, ...(options.withErrors ? { error: 'profile.invalid' as const } : {}) },
          { name: 'tier', attribute: { type: 'string', title: 'Tier', enum: ['silver', '<gold>'] }, value: '<gold>', required: false },
          { name: 'size', attribute: { type: 'integer', title: 'Size', minimum: 30, maximum: 50 }, value: 41, required: false },
          { name: 'news', attribute: { type: 'boolean', title: 'News' }, value: true, required: false },
        ],
        ...(options.withErrors ? { errors: { fields: { 'profile.address': 'profile.invalid' } } } : {}),
      }),
    },
    { name: 'check-email-registration', html: renderCheckEmailPage(ctx, { kind: 'registration' }) },
    { name: 'check-email-reset', html: renderCheckEmailPage(ctx, { kind: 'reset_requested' }) },
    { name: 'check-email-resent', html: renderCheckEmailPage(ctx, { kind: 'verification_resent' }) },
    {
      name: 'verify',
      html: renderVerifyPage(ctx, { token: values.token, errors: options.withErrors ? { fields: { password: 'auth.invalid_credentials' } } : undefined, passkeys: !options.withErrors }),
    },
    { name: 'verify-ok', html: renderVerifyResultPage(ctx, { ok: true }) },
    { name: 'verify-failed', html: renderVerifyResultPage(ctx, { ok: false }) },
    { name: 'forgot', html: renderForgotPage(ctx, { email: values.email, errors: options.withErrors ? { fields: { email: 'email.invalid' } } : undefined }) },
    { name: 'reset', html: renderResetPage(ctx, { token: values.token, errors: options.withErrors ? { fields: { password: 'password.too_short' } } : undefined, minLength }) },
    { name: 'reset-invalid', html: renderResetInvalidPage(ctx) },
    {
      name: 'account',
      html: renderAccountPage(ctx, {
        profile: {
          fields: [{ name: 'nickname', attribute: { type: 'string', title: 'Nick<name>', maxLength: 50 }, value: values.email, required: false, hint: 'A "hint"' }],
          readOnly: [{ label: 'Member <number>', value: values.email }],
        },
        email: values.email,
        emailVerified: !options.withErrors,
        notice: options.withErrors ? undefined : 'session_revoked',
        errors: options.withErrors ? { fields: { current_password: 'auth.invalid_credentials', new_password: 'password.common' } } : undefined,
        minLength,
        sessions,
        totpEnrolled: !options.withErrors,
        sms: { phone: options.withErrors ? null : values.device },
        identities: [{ id: values.token, connection: values.device, createdAt: SAMPLE_NOW - hour, lastUsedAt: SAMPLE_NOW }],
        rememberedDevices: options.withErrors ? [] : [{ id: values.sessionId, name: values.device, lastUsedAt: SAMPLE_NOW - hour, expiresAt: SAMPLE_NOW + 700 * hour }],
        passkeys: {
          items: options.withErrors ? [] : passkeys,
          register: ceremony('/t/acme/account/passkeys'),
          signal: { rpId: 'id.example.com', userHandle: values.token, acceptedCredentialIds: [values.token], name: values.email },
        },
        connectedApps: options.withErrors
          ? []
          : [{ clientId: 'photo-app', name: 'Photo <Print> & Co', scopes: ['openid', 'email', 'offline_access'], apiScopes: [{ resource: 'Orders API', scope: 'read:orders', description: 'Read your orders' }], grantedAt: 1_760_000_000_000 }],
        organizations: { memberships: [{ id: values.token, name: values.device, roles: ['owner'] }], joinable: options.withErrors ? [] : [{ id: values.token, name: values.device }] },
        securityActivity: [
          { kind: 'wrong_password', at: SAMPLE_NOW - 60_000, from: `${values.device}, ${values.ip}`, bySupport: false },
          { kind: 'support_reset_second_factor', at: SAMPLE_NOW - 3_600_000, from: null, bySupport: true },
        ],
      }),
    },
    {
      name: 'organization-admin',
      html: renderOrganizationAdminPage(ctx, {
        org: { id: values.token, name: values.device },
        members: [{ userId: values.token, email: values.email, roles: ['owner', values.token], self: true }],
        managerIsOwner: !options.withErrors,
        ...(options.withErrors ? { errors: { fields: { invitee: 'email.invalid' } } } : {}),
      }),
    },
    {
      name: 'invitation',
      html: renderInvitationPage(ctx, options.withErrors ? { state: 'other_account', organization: values.device, token: values.token, email: values.email } : { state: 'accept', organization: values.device, token: values.token, email: values.email }),
    },
    ...householdPages(ctx, values, options.withErrors),
    {
      name: 'second-factor',
      html: renderSecondFactorPage(ctx, {
        passkey: ceremony('/t/acme/login/second-factor/passkey'),
        totp: true,
        sms: { sendAction: '/t/acme/login/second-factor/sms', phone: values.device, sent: !options.withErrors },
        rememberDays: 30,
        ...(options.withErrors ? { errors: { fields: { code: 'mfa.invalid_code' } } } : {}),
      }),
    },
    { name: 'mfa-nudge', html: renderMfaNudgePage(ctx, { next: '/t/acme/account', passkeys: true, totp: !options.withErrors, sms: true }) },
    { name: 'phone-confirm', html: renderPhoneConfirmPage(ctx, { phone: values.device, ...(options.withErrors ? { errors: { fields: { code: 'mfa.invalid_code' } } } : {}) }) },
    { name: 'email-code', html: renderEmailCodePage(ctx, options.withErrors ? { errors: { fields: { code: 'email_code.invalid' } } } : {}) },
    { name: 'magic-link', html: renderMagicLinkPage(ctx, { token: values.token }) },
    { name: 'magic-link-invalid', html: renderMagicLinkInvalidPage(ctx) },
    { name: 'magic-link-other-device', html: renderMagicLinkOtherDevicePage(ctx, { code: values.token }) },
    { name: 'link-account', html: renderLinkAccountPage(ctx, { connection: values.device, email: values.email, passwords: true, ...(options.withErrors ? { errors: { fields: { password: 'auth.invalid_credentials' } } } : {}) }) },
    { name: 'continue', html: renderContinuePage(ctx, { next: '/t/acme/account' }) },
    { name: 'register-passwordless', html: renderRegisterPage(ctx, { email: values.email, minLength, passwordless: true }) },
    { name: 'login-passwordless', html: renderLoginPage(ctx, { email: values.email, passwords: false, emailSignInAction: '/t/acme/login/email', passkey: ceremony('/t/acme/login/passkey') }) },
    { name: 'passkey-offer-done', html: renderPasskeyOfferDonePage(ctx, { next: '/t/acme/account', added: !options.withErrors }) },
    { name: 'passkey-offer', html: renderPasskeyOfferPage(ctx, { register: ceremony('/t/acme/passkeys/offer'), skipAction: '/t/acme/passkeys/offer/skip', next: '/t/acme/account' }) },
    {
      name: 'totp-setup',
      html: renderTotpSetupPage(ctx, {
        qrDataUrl: 'data:image/svg+xml;base64,PHN2Zy8+',
        secret: values.token,
        ...(options.withErrors ? { errors: { fields: { code: 'mfa.invalid_code' } } } : {}),
      }),
    },
    { name: 'recovery-codes', html: renderRecoveryCodesPage(ctx, { codes: [values.token, 'abcd-efgh-jkmn-pqrs-tvwx-yz01'] }) },
    { name: 'error', html: renderErrorPage(ctx, { status: 404, code: 'request.not_found' }) },
    { name: 'mailbox', html: renderMailboxPage({ ...ctx, tenant: null }, { mails, texts: [{ id: 'sms-1', to: values.ip, text: values.mailText, createdAt: SAMPLE_NOW }] }) },
  ];
}

/** The household pages, every name and id a hostile value. */
function householdPages(ctx: PageContext, values: SampleValues, withErrors: boolean): RenderedPage[] {
  const profiles = [
    { id: values.token, name: values.device, kind: 'adult' as const, maxAgeRating: null, purchases: 'allowed' as const, hasPin: true, own: true, managed: false },
    { id: `${values.token}-kid`, name: values.email, kind: 'child' as const, maxAgeRating: 12, purchases: 'blocked' as const, hasPin: false, own: false, managed: true },
  ];
  return [
    {
      name: 'household',
      html: renderHouseholdPage(ctx, {
        state: 'member',
        isOwner: !withErrors,
        acting: profiles[0]!,
        profiles,
        members: [{ userId: values.token, email: values.email, role: 'owner', self: true }, { userId: values.sessionId, email: values.mailTo, role: 'adult', self: false }],
        devices: [{ id: values.token, name: values.device, who: values.email, lastSeenAt: SAMPLE_NOW }],
        limits: { maxMembers: 4, maxProfiles: 6, maxDevices: null, maxConcurrentSessions: 4 },
        ...(withErrors ? { errors: { fields: { invitee: 'email.invalid' } } } : {}),
      }),
    },
    {
      name: 'household-picker',
      html: renderProfilePickerPage(ctx, {
        appName: values.device,
        action: '/t/acme/household/switch',
        profiles,
        actingId: values.token,
        ...(withErrors ? { errors: { fields: { pin: 'household.pin_invalid' } }, failedProfileId: values.token } : {}),
      }),
    },
    { name: 'household-invitation', html: renderHouseholdInvitationPage(ctx, withErrors ? { state: 'other_account', token: values.token, email: values.email } : { state: 'accept', token: values.token, email: values.email }) },
    {
      name: 'household-limit',
      html: renderHouseholdLimitPage(ctx, {
        reason: withErrors ? 'household.device_limit' : 'household.session_limit',
        limit: 4,
        next: '/t/acme/account',
        sessions: [{ id: values.sessionId, device: values.device, who: values.email, lastSeenAt: SAMPLE_NOW }],
        devices: [{ id: values.token, name: values.device, who: values.email, lastSeenAt: SAMPLE_NOW }],
      }),
    },
  ];
}
