// Profile fields drawn from the tenant's profile schema: one labelled input per attribute, typed by
// the schema (text, date, email, web address, number, a list of choices, a checkbox). Field names are
// `profile.<attribute>`; labels are the tenant's `title`, escaped like everything else.
import type { ErrorCode } from '../../core/errors.ts';
import type { ProfileAttributeSchema } from '../../core/ports.ts';
import { html, type SafeHtml } from '../html.ts';
import { t } from '../i18n/index.ts';
import type { PageContext } from '../layout.ts';
import { fieldErrorText } from './form.ts';

export interface ProfileFieldView {
  name: string;
  attribute: ProfileAttributeSchema;
  value: unknown;
  required: boolean;
  error?: ErrorCode | undefined;
  /** Shown under the label, e.g. that changing it asks for a fresh sign-in. */
  hint?: string | undefined;
}

const INPUT_TYPE: Record<string, string> = { date: 'date', email: 'email', uri: 'url' };

// Autofill tokens for the OpenID Connect claims that have one.
const AUTOCOMPLETE: Record<string, string> = {
  name: 'name',
  given_name: 'given-name',
  family_name: 'family-name',
  middle_name: 'additional-name',
  nickname: 'nickname',
  preferred_username: 'username',
  birthdate: 'bday',
  gender: 'sex',
  website: 'url',
  picture: 'photo',
  locale: 'language',
};

export function profileField(ctx: PageContext, field: ProfileFieldView): SafeHtml {
  const id = `profile-${field.name}`;
  const inputName = `profile.${field.name}`;
  const label = field.attribute.title ?? field.name;
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [field.error && errorId, field.hint && hintId].filter(Boolean).join(' ');
  const aria = html`${field.error && html` aria-invalid="true"`}${describedBy && html` aria-describedby="${describedBy}"`}`;
  const text = field.value === undefined || field.value === null ? '' : String(field.value);
  const error = field.error && html`<p class="fd-field-error" id="${errorId}"><span class="fd-visually-hidden">${t(ctx.locale, 'form.error_prefix')} </span>${fieldErrorText(ctx.locale, field.error)}</p>`;
  const hint = field.hint && html`<p class="fd-hint" id="${hintId}">${field.hint}</p>`;
  const { attribute } = field;
  if (attribute.type === 'boolean') {
    return html`<div class="${field.error ? 'fd-field fd-field--error' : 'fd-field'}">
${hint}${error}<div class="fd-check"><input type="checkbox" id="${id}" name="${inputName}" value="1"${field.value === true && html` checked`}${aria}><label for="${id}">${label}</label></div>
</div>`;
  }
  let control: SafeHtml;
  if (attribute.enum) {
    control = html`<select class="fd-input" id="${id}" name="${inputName}"${field.required && html` required`}${aria}>
<option value=""${text === '' && html` selected`}></option>
${attribute.enum.map((option) => html`<option value="${option}"${option === text && html` selected`}>${option}</option>`)}
</select>`;
  } else {
    const type = attribute.type === 'string' ? (attribute.format ? INPUT_TYPE[attribute.format] : 'text') : 'number';
    const autocomplete = AUTOCOMPLETE[field.name] ?? 'off';
    control = html`<input class="fd-input" id="${id}" name="${inputName}" type="${type}" autocomplete="${autocomplete}"${text !== '' && html` value="${text}"`}${
      attribute.maxLength !== undefined && html` maxlength="${String(attribute.maxLength)}"`
    }${attribute.type === 'number' && html` step="any"`}${attribute.minimum !== undefined && html` min="${String(attribute.minimum)}"`}${
      attribute.maximum !== undefined && html` max="${String(attribute.maximum)}"`
    }${field.required && html` required`}${aria}>`;
  }
  return html`<div class="${field.error ? 'fd-field fd-field--error' : 'fd-field'}">
<label class="fd-label" for="${id}">${label}</label>
${hint}${error}${control}
</div>`;
}
