// English catalogue: the reference. Every other catalogue is typed against its keys, and every
// ErrorCode has its `error.<code>` message here (a missing one fails typecheck).
// Texts are plain strings with `{name}` placeholders; the html tag escapes them when rendered.

import type { ErrorCode } from '../../core/errors.ts';

type ErrorMessages = Record<`error.${ErrorCode}`, string>;

export const en = {
  // Layout
  'layout.skip': 'Skip to main content',
  'layout.language': 'Language',
  'layout.product': 'Frontdoor',

  // Forms
  'form.error_summary': 'There is a problem',
  'form.error_prefix': 'Error:',
  'form.email': 'Email address',
  'form.password': 'Password',
  'form.new_password': 'New password',
  'form.password_hint': 'At least {min} characters, and not a commonly used password. A few unrelated words work well.',

  // Notices shown after a redirect
  'notice.verified': 'Your email address is confirmed and you are signed in.',
  'notice.password_reset': 'Your password has been changed. Sign in with your new password.',
  'notice.signed_out': 'You have been signed out.',
  'notice.session_revoked': 'The device has been signed out.',
  'notice.app_revoked': 'The app no longer has access to your account.',
  'notice.password_changed': 'Your password has been changed.',
  'notice.verification_sent': "If your address still needs confirming, we've sent you a new verification link.",

  // Sign in
  'login.title': 'Sign in',
  'login.heading': 'Sign in to {tenant}',
  'login.submit': 'Sign in',
  'login.continue_to': 'to continue to {app}',
  'login.forgot': 'Forgot your password?',
  'login.no_account': 'New here?',
  'login.register': 'Create an account',
  'login.resend_text': "Didn't get the verification email, or has the link expired?",
  'login.resend_submit': 'Send a new verification link',

  // Registration
  'register.title': 'Create an account',
  'register.heading': 'Create your {tenant} account',
  'register.submit': 'Create account',
  'register.have_account': 'Already have an account?',
  'register.sign_in': 'Sign in',

  // Check your email
  'check_email.title': 'Check your email',
  'check_email.registration':
    "If this address can be used for a new account, we've sent a link to confirm it. If you already have an account with this address, we've sent an email that tells you how to sign in.",
  'check_email.reset_requested':
    "If an account exists for this address, we've sent a link to choose a new password. The link works once and expires in 30 minutes.",
  'check_email.verification_resent':
    "If this address belongs to an account that still needs confirming, we've sent a new verification link.",
  'check_email.spam': "It can take a few minutes to arrive. If you can't find it, check your spam or junk folder.",
  'check_email.back': 'Back to sign in',

  // Email verification
  'verify.title': 'Confirm your email address',
  'verify.text': 'To confirm that this address is yours, enter the password you chose when you signed up.',
  'verify.password_wrong': "This isn't the password you chose when you signed up. Check it and try again.",
  'verify.submit': 'Confirm email address',
  'verify_result.ok_title': 'Email address confirmed',
  'verify_result.ok_text': 'Thank you. Your email address is confirmed.',
  'verify_result.failed_title': 'This link no longer works',
  'verify_result.failed_text':
    'The confirmation link is invalid, has expired or was already used. Sign in to ask for a new link, or look for a newer email from us.',
  'verify_result.sign_in': 'Go to sign in',

  // Forgot password
  'forgot.title': 'Reset your password',
  'forgot.text': "Enter the email address of your account and we'll send you a link to choose a new password.",
  'forgot.submit': 'Send reset link',
  'forgot.back': 'Back to sign in',

  // Reset password
  'reset.title': 'Choose a new password',
  'reset.text': 'Choose a new password for your account.',
  'reset.submit': 'Save new password',
  'reset_invalid.title': 'This reset link no longer works',
  'reset_invalid.text': 'The link has expired or was already used. Reset links work once and for 30 minutes.',
  'reset_invalid.again': 'Request a new link',

  // Account
  'consent.title': 'Allow access',
  'consent.heading': '{app} wants to access your account',
  'consent.lead': 'If you allow it, {app} can use your {tenant} account for:',
  'consent.scope.openid': 'Knowing who you are when you sign in',
  'consent.scope.profile': 'Your name and basic profile',
  'consent.scope.email': 'Your email address',
  'consent.scope.phone': 'Your phone number',
  'consent.scope.address': 'Your postal address',
  'consent.scope.offline_access': 'Staying connected when you are not using it',
  'consent.claim': 'Your {claim}',
  'consent.revoke_hint': 'You can withdraw this at any time on your account page.',
  'consent.allow': 'Allow',
  'consent.deny': 'Deny',
  'logout.title': 'Sign out',
  'logout.heading': 'Sign out?',
  'logout.lead': 'Do you want to sign out of your account?',
  'logout.lead_app': '{app} asks to sign you out of your account.',
  'logout.confirm': 'Sign out',
  'logout.stay': 'Stay signed in',
  'logout.frontchannel': "You are signed out. We're telling your apps.",
  'logout.continue': 'Continue',
  'logout.done_heading': 'You are signed out',
  'logout.done': 'You have been signed out.',
  'logout.done_app': 'You have been signed out of {app}.',
  'device.title': 'Connect a device',
  'device.heading': 'Connect a device',
  'device.lead': 'Enter the code shown on your device.',
  'device.code': 'Code',
  'device.invalid': 'This code is not valid or has expired. Check the code on your device.',
  'device.continue': 'Continue',
  'device.confirm_heading': 'Connect {app}?',
  'device.confirm_lead': 'Check that your device shows this code. Only continue if you started this yourself.',
  'device.confirm': 'Connect',
  'device.abort': 'Cancel',
  'device.done_heading': 'Device connected',
  'device.done': '{app} is now connected. You can return to your device.',
  'oidc_error.heading': 'This sign-in request could not be completed',
  'oidc_error.lead': 'The application sent an invalid request. Go back to it and try again; if it keeps happening, tell its support.',
  'account.title': 'Your account',
  'account.email': 'Email address',
  'account.verified': 'Verified',
  'account.unverified': 'Not verified',
  'account.unverified_text': 'Confirm your address so you can always recover your account.',
  'account.resend': 'Send a new verification link',
  'account.sessions_heading': 'Where you are signed in',
  'account.sessions_text': "If you don't recognise a device, sign it out and change your password.",
  'account.sessions_this_device': 'This device',
  'account.sessions_ip': 'IP address',
  'account.sessions_ip_unknown': 'Unknown',
  'account.sessions_signed_in': 'Signed in',
  'account.sessions_last_seen': 'Last active',
  'account.sessions_revoke': 'Sign out',
  'account.sessions_revoke_label': 'Sign out {device}, signed in {time}',
  'account.sessions_empty': 'No active sessions.',
  'account.apps_heading': 'Apps with access to your account',
  'account.apps_text': 'Removing access signs the app out: it has to ask you again next time.',
  'account.apps_since': 'Connected',
  'account.apps_revoke': 'Remove access',
  'account.apps_revoke_label': 'Remove access of {app}',
  'account.apps_empty': 'No app has access to your account.',
  'account.password_heading': 'Change password',
  'account.password_current': 'Current password',
  'account.password_current_wrong': 'Your current password is not correct. Check it and try again.',
  'account.password_submit': 'Change password',
  'account.sign_out_heading': 'Sign out',
  'account.sign_out_text': 'Sign out of your account on this device.',
  'account.sign_out_submit': 'Sign out',

  // Error page
  'error_page.title_generic': 'Something went wrong',
  'error_page.title_not_found': 'Page not found',
  'error_page.title_forbidden': 'Not allowed',
  'error_page.title_rate_limited': 'Too many attempts',
  'error_page.title_server': 'Something went wrong on our side',
  'error_page.status': 'Error {status}',
  'error_page.sign_in': 'Go to sign in',

  // Development mailbox
  'mailbox.title': 'Development mailbox',
  'mailbox.banner':
    'For development only. This page shows the outgoing mail queue so you can follow links without an SMTP server. It must never be reachable in production.',
  'mailbox.empty': 'No mail yet.',
  'mailbox.to': 'To',
  'mailbox.queued': 'Queued',
  'mailbox.status': 'Status',
  'mailbox.sent': 'Sent {time}',
  'mailbox.pending': 'Not sent yet',

  // Devices
  'device.unknown': 'Unknown device',
  'device.browser_on_os': '{browser} on {os}',
  'device.a_browser': 'Browser',

  // Mail: shared
  'mail.greeting': 'Hello,',
  'mail.link_fallback': "If the button doesn't work, copy this link into your browser:",
  'mail.signature': '— {tenant}',
  'mail.footer': 'This email was sent to {email} by {tenant}.',

  // Mail: verify_email
  'mail.verify_email.subject': 'Confirm your email address for {tenant}',
  'mail.verify_email.intro':
    'Please confirm your email address to finish setting up your {tenant} account. You will be asked for the password you chose when you signed up.',
  'mail.verify_email.action': 'Confirm email address',
  'mail.verify_email.expiry': 'The link expires in {hours} hours.',
  'mail.verify_email.ignore': "If you didn't create an account, you can ignore this email.",

  // Mail: reset_password
  'mail.reset_password.subject': 'Reset your {tenant} password',
  'mail.reset_password.intro': 'Someone, hopefully you, asked to reset the password of your {tenant} account.',
  'mail.reset_password.action': 'Choose a new password',
  'mail.reset_password.expiry': 'The link works once and expires in {minutes} minutes.',
  'mail.reset_password.ignore': "If you didn't ask for this, ignore this email: your password stays as it is.",

  // Mail: password_changed
  'mail.password_changed.subject': 'Your {tenant} password was changed',
  'mail.password_changed.intro': 'The password of your {tenant} account was just changed.',
  'mail.password_changed.ok': 'If this was you, there is nothing else to do.',
  'mail.password_changed.not_you':
    "If it wasn't you, reset your password right away and sign out the devices you don't recognise.",
  'mail.password_changed.action': 'Reset your password',

  // Mail: account_exists
  'mail.account_exists.subject': 'You already have a {tenant} account',
  'mail.account_exists.intro':
    'Someone, hopefully you, tried to create a {tenant} account with this email address. You already have an account, so no new one was created.',
  'mail.account_exists.login': 'Sign in',
  'mail.account_exists.reset': 'Forgot your password? Choose a new one:',
  'mail.account_exists.ignore': "If this wasn't you, you can ignore this email. Nothing about your account has changed.",

  // Mail: reset_unknown_account
  'mail.reset_unknown_account.subject': 'Password reset request for {tenant}',
  'mail.reset_unknown_account.intro':
    'Someone, hopefully you, asked to reset the password of a {tenant} account for this email address, but there is no account with this address.',
  'mail.reset_unknown_account.hint': 'If you have an account, you may have signed up with a different address.',
  'mail.reset_unknown_account.register': 'Create an account',
  'mail.reset_unknown_account.ignore': "If you didn't ask for this, you can ignore this email.",

  // Errors: one per ErrorCode, saying what happened and what to do.
  'error.request.invalid': 'Something in the form was not right. Check your entries and try again.',
  'error.request.too_large': 'What you sent is too large. Shorten your entries and try again.',
  'error.request.unsupported_media_type': 'The form was sent in a format we do not accept. Reload the page and try again.',
  'error.request.not_found': "We couldn't find this page. Check the address, or start again from the sign-in page.",
  'error.request.csrf': 'This form has expired or was sent from another site. Reload the page and try again.',
  'error.rate_limited': 'Too many attempts. Wait a few minutes, then try again.',
  'error.server.busy': 'We are very busy right now. Try again in a moment.',
  'error.server.error': 'Something went wrong on our side. Try again in a moment; if it keeps happening, contact support.',
  'error.auth.unauthorized': 'You need to sign in to continue.',
  'error.auth.forbidden': "You don't have permission to do this.",
  'error.auth.invalid_credentials':
    'The email address or password is not correct. Check them and try again, or reset your password.',
  'error.auth.account_disabled': "This account can't be used to sign in. Contact support if you think this is a mistake.",
  'error.auth.email_not_verified':
    'Confirm your email address before you sign in: follow the link in the email we sent you, or ask for a new link.',
  'error.session.required': 'Your session has ended. Sign in again to continue.',
  'error.email.invalid': 'Enter a valid email address, like name@example.com.',
  'error.password.too_short': 'This password is too short. Choose a longer one; a few unrelated words work well.',
  'error.password.too_long': 'This password is too long. Choose a shorter one.',
  'error.password.common':
    'This password is on a list of commonly used or breached passwords, so it is easy to guess. Choose a different one.',
  'error.password.contains_email': 'The password must not contain your email address. Choose a different one.',
  'error.password.mismatch': "The passwords don't match. Enter the same password in both fields.",
  'error.token.invalid': 'This link is invalid, has expired or was already used. Ask for a new one.',
  'error.tenant.not_found': "We couldn't find this sign-in page. Check the address you used.",
  'error.tenant.exists': 'A tenant with this id already exists. Choose a different id.',
  'error.app.not_found': "The application that sent you here isn't known. Go back to it and try again.",
  'error.resource.not_found': "We couldn't find this API resource.",
  'error.resource.exists': 'An API resource with this identifier already exists.',
  'error.interaction.invalid': 'This sign-in request has expired or was already completed. Go back to the application and start again.',
  'error.user.not_found': "We couldn't find this user.",
  'error.user.exists': 'An account with this email address already exists. Sign in instead.',
  'error.session.not_found': 'This session no longer exists. It may already have been signed out.',
  'error.admin.setup_token_invalid': 'The setup token is invalid or was already used. Create a new one on the command line.',
  'error.config.invalid': 'The server is not configured correctly. Contact the administrator.',
  'error.mfa.required_by_policy': "Your organisation requires a second sign-in step, so your authenticator app can't be turned off. You can make new recovery codes instead.",
  'mfa.setup_lead': 'Your account needs a second sign-in step. Set up an authenticator app to continue.',
  'recovery.continue': 'Continue',
  'mail.mfa_reset.subject': 'Two-step verification was turned off for your {tenant} account',
  'mail.mfa_reset.intro': 'Support turned off two-step verification for your {tenant} account: signing in now needs your password only.',
  'mail.mfa_reset.ok': 'If you asked for this, set up your authenticator app again on your account page.',
  'mail.mfa_reset.not_you': "If you didn't ask for this, reset your password now and contact support.",
  'mail.mfa_reset.action': 'Reset your password',
  'mail.recovery_code_used.subject': 'A recovery code was used for your {tenant} account',
  'mail.recovery_code_used.intro': 'Someone just signed in to your {tenant} account with one of your recovery codes instead of your authenticator app.',
  'mail.recovery_code_used.ok': 'If this was you, set up your authenticator app again on your account page: each recovery code works only once.',
  'mail.recovery_code_used.not_you': "If this wasn't you, reset your password now: it signs out every session.",
  'mail.recovery_code_used.action': 'Reset your password',
  'account.recovery_heading': 'Recovery codes',
  'account.recovery_remaining': '{count} of 10 recovery codes left. Each lets you sign in once without your authenticator app.',
  'account.recovery_regenerate': 'Make new codes',
  'account.recovery_regenerate_hint': 'Enter a current code from your app to replace all your recovery codes.',
  'recovery.title': 'Save your recovery codes',
  'recovery.lead': 'If you lose your phone, each of these codes lets you sign in once instead of a code from your app. Keep them somewhere safe: they are shown only now.',
  'recovery.done': 'I have saved them',
  'mfa.recovery_hint': 'Lost your phone? Enter one of your recovery codes instead.',
  'mfa.title': 'Two-step verification',
  'mfa.lead': 'Enter the 6-digit code from your authenticator app.',
  'mfa.code': 'Code',
  'mfa.submit': 'Verify',
  'mfa.start_over': 'Sign in again',
  'account.totp_heading': 'Authenticator app',
  'account.totp_on': 'On: signing in asks for a code from your app.',
  'account.totp_off': 'Add a second step to signing in: a code from an authenticator app on your phone.',
  'account.totp_setup': 'Set up',
  'account.totp_remove': 'Turn off',
  'account.totp_remove_hint': 'Enter a current code from your app to turn it off.',
  'totp_setup.title': 'Set up your authenticator app',
  'totp_setup.scan': 'Scan this code with your authenticator app, or type the key below into it.',
  'totp_setup.qr_alt': 'QR code for your authenticator app',
  'totp_setup.key': 'Key',
  'totp_setup.confirm': 'Then enter the code your app shows.',
  'totp_setup.submit': 'Turn on',
  'notice.totp_enabled': 'Your authenticator app is set up.',
  'notice.totp_disabled': 'Your authenticator app is turned off.',
  'error.mfa.invalid_code': 'That code is not right. Check your app and try again.',
  'error.mfa.already_enrolled': 'An authenticator app is already set up.',
  'error.mfa.no_pending_enrollment': 'Start the setup again.',
  'error.mfa.flow_expired': 'This sign-in has expired or had too many wrong codes. Please sign in again.',
} satisfies Record<string, string> & ErrorMessages;

export type MessageKey = keyof typeof en;

/** Shape every other catalogue must have: exactly the English keys. */
export type Catalogue = Record<MessageKey, string>;
