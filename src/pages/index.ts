// Public surface of the presentation layer, for the HTTP routes.

export { SafeHtml, escapeHtml, html, unsafeRaw } from './html.ts';
export type { HtmlValue } from './html.ts';
export { CATALOGUES, DEFAULT_LOCALE, LOCALES, LOCALE_NAMES, errorMessage, formatDateTime, isLocale, negotiateLocale, t } from './i18n/index.ts';
export type { Catalogue, Locale, MessageKey, MessageParams } from './i18n/index.ts';
export { DEFAULT_PRIMARY_COLOR, isAllowedLogoUrl, isValidColor, languageUrl, renderDocument, renderThemeCss, tenantPath } from './layout.ts';
export type { DocumentOptions, PageContext } from './layout.ts';
export { RESET_PASSWORD_TTL_MINUTES, VERIFY_EMAIL_TTL_HOURS, composeMail } from './mail.ts';
export type { ComposedMail } from './mail.ts';
export { renderAccountPage } from './views/account.ts';
export type { AccountPageModel, AccountSession } from './views/account.ts';
export { renderCheckEmailPage } from './views/check-email.ts';
export type { CheckEmailPageModel } from './views/check-email.ts';
export { describeUserAgent } from './views/device.ts';
export { renderErrorPage } from './views/error.ts';
export type { ErrorPageModel } from './views/error.ts';
export { renderForgotPage } from './views/forgot.ts';
export type { ForgotPageModel } from './views/forgot.ts';
export { renderLoginPage } from './views/login.ts';
export type { LoginPageModel } from './views/login.ts';
export { renderMailboxPage } from './views/mailbox.ts';
export type { MailboxMail, MailboxPageModel } from './views/mailbox.ts';
export { renderRegisterPage } from './views/register.ts';
export type { RegisterPageModel } from './views/register.ts';
export { renderResetInvalidPage, renderResetPage } from './views/reset.ts';
export type { ResetPageModel } from './views/reset.ts';
export { NOTICES, parseNotice } from './views/types.ts';
export type { FormErrors, Notice } from './views/types.ts';
export { renderVerifyPage, renderVerifyResultPage } from './views/verify.ts';
export type { VerifyPageModel, VerifyResultPageModel } from './views/verify.ts';

/** The stylesheet the routes serve at /assets/frontdoor.css (read it once at start). */
export const STYLESHEET_FILE: URL = new URL('./assets/frontdoor.css', import.meta.url);
