// Building blocks shared by the pages: CSRF input, fields bound to their errors, the error summary,
// notices. Accessibility without JavaScript: errors are tied to inputs with aria-describedby, the
// summary is an alert, and `autofocus` puts the caret on the first field that needs attention.

import type { ErrorCode } from '../../core/errors.ts';
import { html } from '../html.ts';
import type { SafeHtml } from '../html.ts';
import { errorMessage, t } from '../i18n/index.ts';
import type { Locale, MessageKey } from '../i18n/index.ts';
import type { PageContext } from '../layout.ts';
import type { FormErrors, Notice } from './types.ts';

/** The tenant a tenant page belongs to; rendering one without a tenant is a programming error. */
export function requireTenant(ctx: PageContext): NonNullable<PageContext['tenant']> {
  if (!ctx.tenant) throw new Error('This page needs a tenant in its PageContext');
  return ctx.tenant;
}

/** Hidden CSRF token: every form carries one. */
export function csrfInput(ctx: PageContext): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrfToken}">`;
}

export function hasErrors(errors: FormErrors | undefined): boolean {
  return Boolean(errors?.form) || fieldErrorNames(errors).length > 0;
}

function fieldErrorNames(errors: FormErrors | undefined): string[] {
  const fields = errors?.fields;
  if (!fields) return [];
  return Object.keys(fields).filter((name) => fields[name] !== undefined);
}

export function fieldError(errors: FormErrors | undefined, name: string): ErrorCode | undefined {
  const fields = errors?.fields;
  return fields && Object.hasOwn(fields, name) ? fields[name] : undefined;
}

/** The field to focus: the first one (in page order) with an error, else the first one. */
export function focusTarget(errors: FormErrors | undefined, names: readonly string[]): string | undefined {
  return names.find((name) => fieldError(errors, name) !== undefined) ?? names[0];
}

/** Wording for an error code that fits one field better than the general message. */
export type ErrorTexts = Partial<Record<ErrorCode, MessageKey>>;

export function fieldErrorText(locale: Locale, code: ErrorCode, texts?: ErrorTexts): string {
  const key = texts?.[code];
  return key ? t(locale, key) : errorMessage(locale, code);
}

export interface SummaryField {
  name: string;
  /** The input's id, for the link in the summary. */
  id: string;
  texts?: ErrorTexts;
}

/**
 * The alert at the top of a form: the form error, then each field error linking to its input.
 * Field errors for names the form doesn't show are listed without a link, so none is lost.
 */
export function errorSummary(ctx: PageContext, errors: FormErrors | undefined, fields: readonly SummaryField[]): SafeHtml | null {
  if (!hasErrors(errors)) return null;
  const items: SafeHtml[] = [];
  if (errors?.form) items.push(html`<li>${errorMessage(ctx.locale, errors.form)}</li>`);
  const names = fieldErrorNames(errors);
  const shown = fields.filter((field) => names.includes(field.name));
  const unshown: SummaryField[] = names.filter((name) => !fields.some((field) => field.name === name)).map((name) => ({ name, id: '' }));
  for (const field of [...shown, ...unshown]) {
    const code = fieldError(errors, field.name);
    if (!code) continue;
    const message = fieldErrorText(ctx.locale, code, field.texts);
    items.push(field.id ? html`<li><a href="#${field.id}">${message}</a></li>` : html`<li>${message}</li>`);
  }
  return html`<div class="fd-error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">
<h2 id="error-summary-title" class="fd-error-summary__title">${t(ctx.locale, 'form.error_summary')}</h2>
<ul>${items}</ul>
</div>`;
}

export interface FieldOptions {
  name: string;
  /** Defaults to `name`. */
  id?: string;
  label: string;
  type: 'email' | 'password' | 'text' | 'tel';
  autocomplete: 'username' | 'username webauthn' | 'email' | 'current-password' | 'new-password' | 'one-time-code' | 'tel' | 'off';
  /** Keyboard hint for phones, e.g. `numeric` for codes. */
  inputmode?: 'numeric';
  /** Re-filled value; never pass a password. */
  value?: string;
  hint?: string;
  error?: ErrorCode;
  /** Field-specific wording for some error codes. */
  texts?: ErrorTexts;
  autofocus?: boolean;
  minLength?: number;
}

/** A labelled input with its hint and error text, bound by for/id and aria-describedby. */
export function inputField(ctx: PageContext, options: FieldOptions): SafeHtml {
  const id = options.id ?? options.name;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [options.error && errorId, options.hint && hintId].filter(Boolean).join(' ');
  const value = options.type === 'password' ? undefined : options.value;
  return html`<div class="${options.error ? 'fd-field fd-field--error' : 'fd-field'}">
<label class="fd-label" for="${id}">${options.label}</label>
${options.hint && html`<p class="fd-hint" id="${hintId}">${options.hint}</p>`}
${options.error && html`<p class="fd-field-error" id="${errorId}"><span class="fd-visually-hidden">${t(ctx.locale, 'form.error_prefix')} </span>${fieldErrorText(ctx.locale, options.error, options.texts)}</p>`}
<input class="fd-input" id="${id}" name="${options.name}" type="${options.type}" autocomplete="${options.autocomplete}"${options.inputmode && html` inputmode="${options.inputmode}"`} required${
    options.type === 'email' && html` autocapitalize="none" spellcheck="false"`
  }${value !== undefined && value !== '' && html` value="${value}"`}${
    options.minLength !== undefined && Number.isInteger(options.minLength) && options.minLength > 0 && html` minlength="${options.minLength}"`
  }${options.error && html` aria-invalid="true"`}${describedBy && html` aria-describedby="${describedBy}"`}${
    options.autofocus && html` autofocus`
  }>
</div>`;
}

/** A confirmation banner; polite status so screen readers read it without interrupting. */
export function noticeBanner(ctx: PageContext, notice: Notice | undefined): SafeHtml | null {
  if (!notice) return null;
  return html`<div class="fd-notice" role="status"><p>${t(ctx.locale, `notice.${notice}`)}</p></div>`;
}

export function submitButton(label: string, variant: 'primary' | 'secondary' = 'primary'): SafeHtml {
  return html`<button class="${variant === 'primary' ? 'fd-button' : 'fd-button fd-button--secondary'}" type="submit">${label}</button>`;
}
