// What changed about how an account is protected, for its owner: the account page's "Recent
// security activity" (sign-ins themselves are in the sign-in history beside it). Read from the
// audit rows about the account, so what the owner sees is what the business can prove; only the
// kinds below, each in the owner's words, and failed sign-ins with a wrong password.
import type { AuditEvent, Store, TenantId } from '../ports.ts';

export type SecurityActivityKind =
  | 'password_changed'
  | 'password_reset'
  | 'email_changed'
  | 'phone_changed'
  | 'passkey_added'
  | 'passkey_removed'
  | 'second_factor_added'
  | 'second_factor_removed'
  | 'recovery_codes_renewed'
  | 'recovery_code_used'
  | 'session_signed_out'
  | 'app_access_removed'
  | 'data_downloaded'
  | 'deletion_requested'
  | 'deletion_cancelled'
  | 'sign_in_reported'
  | 'wrong_password'
  | 'sign_in_paused'
  | 'support_reset_second_factor'
  | 'support_signed_out'
  | 'support_changed_account';

export interface SecurityActivity {
  kind: SecurityActivityKind;
  at: number;
  ip: string | null;
  userAgent: string | null;
  /** Done by the business's staff or tools, not by the owner. */
  bySupport: boolean;
}

const KINDS: Record<string, SecurityActivityKind> = {
  'user.password_changed': 'password_changed',
  'user.password_reset': 'password_reset',
  'user.email_changed': 'email_changed',
  'user.phone_changed': 'phone_changed',
  'user.passkey_added': 'passkey_added',
  'user.passkey_removed': 'passkey_removed',
  'user.mfa_enrolled': 'second_factor_added',
  'user.mfa_removed': 'second_factor_removed',
  'user.recovery_codes_regenerated': 'recovery_codes_renewed',
  'user.recovery_code_used': 'recovery_code_used',
  'user.session_revoked': 'session_signed_out',
  'user.app_access_revoked': 'app_access_removed',
  'user.data_exported': 'data_downloaded',
  'user.deletion_requested': 'deletion_requested',
  'user.deletion_cancelled': 'deletion_cancelled',
  'user.sign_in_reported': 'sign_in_reported',
  'user.failure_hold': 'sign_in_paused',
  'admin.user_mfa_reset': 'support_reset_second_factor',
  'admin.user_sessions_revoked': 'support_signed_out',
  'admin.user_session_revoked': 'support_signed_out',
  'admin.user_updated': 'support_changed_account',
};

/** Audit rows read to find the newest `limit` items: the rows about an account are mostly sign-ins and texts sent. */
const SCAN = 200;

function kindOf(event: AuditEvent): SecurityActivityKind | null {
  if (event.action === 'user.login') return event.result === 'failure' && event.reason === 'wrong_password' ? 'wrong_password' : null;
  if (event.result !== 'success') return null;
  return KINDS[event.action] ?? null;
}

/** The newest security-relevant events about the account, newest first. */
export async function recentSecurityActivity(store: Store, tenantId: TenantId, userId: string, limit: number): Promise<SecurityActivity[]> {
  const { items } = await store.audit.query({ tenantId, subject: userId, limit: SCAN });
  const activity: SecurityActivity[] = [];
  for (const event of items) {
    const kind = kindOf(event);
    if (!kind) continue;
    activity.push({ kind, at: event.at, ip: event.ip, userAgent: event.userAgent, bySupport: !event.actor.startsWith('user:') && event.actor !== 'anonymous' });
    if (activity.length === limit) break;
  }
  return activity;
}
