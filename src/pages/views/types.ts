// View-model types shared by the hosted pages and the routes that render them.

import type { ErrorCode } from '../../core/errors.ts';

/** Errors to show on a form: one for the whole form, and one per field name. */
export interface FormErrors {
  form?: ErrorCode;
  fields?: Partial<Record<string, ErrorCode>>;
}

/** A one-line confirmation shown after a redirect (usually from `?notice=`). */
export type Notice =
  | 'verified'
  | 'password_reset'
  | 'signed_out'
  | 'session_revoked'
  | 'app_revoked'
  | 'totp_enabled'
  | 'totp_disabled'
  | 'password_changed'
  | 'verification_sent'
  | 'passkey_added'
  | 'passkey_removed'
  | 'passkey_renamed'
  | 'phone_added'
  | 'phone_removed'
  | 'phone_changed'
  | 'invitation_accepted'
  | 'organization_joined'
  | 'member_updated'
  | 'member_removed'
  | 'invitation_sent'
  | 'device_forgotten'
  | 'reauthenticated'
  | 'verified_elsewhere'
  | 'confirm_sign_in'
  | 'password_breached'
  | 'sign_in_reported'
  | 'consents_saved'
  | 'account_deleted'
  | 'deletion_scheduled'
  | 'deletion_cancelled'
  | 'email_change_sent'
  | 'email_changed'
  | 'profile_saved'
  | 'household_created'
  | 'household_joined'
  | 'profile_switched'
  | 'household_profile_saved'
  | 'household_member_removed'
  | 'household_device_removed'
  | 'household_invitation_sent'
  | 'identity_linked'
  | 'identity_unlinked';

export const NOTICES: readonly Notice[] = [
  'verified',
  'password_reset',
  'signed_out',
  'session_revoked',
  'app_revoked',
  'totp_enabled',
  'totp_disabled',
  'password_changed',
  'verification_sent',
  'passkey_added',
  'passkey_removed',
  'passkey_renamed',
  'phone_added',
  'phone_removed',
  'phone_changed',
  'invitation_accepted',
  'organization_joined',
  'member_updated',
  'member_removed',
  'invitation_sent',
  'device_forgotten',
  'reauthenticated',
  'verified_elsewhere',
  'confirm_sign_in',
  'password_breached',
  'sign_in_reported',
  'consents_saved',
  'account_deleted',
  'deletion_scheduled',
  'deletion_cancelled',
  'email_change_sent',
  'email_changed',
  'profile_saved',
  'household_created',
  'household_joined',
  'profile_switched',
  'household_profile_saved',
  'household_member_removed',
  'household_device_removed',
  'household_invitation_sent',
  'identity_linked',
  'identity_unlinked',
];

/** Narrows a query parameter to a Notice, or undefined. */
export function parseNotice(value: unknown): Notice | undefined {
  return NOTICES.find((notice) => notice === value);
}
