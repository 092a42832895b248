// A tenant's profile schema: which attributes a customer profile holds, their types and formats,
// which the registration page asks for (JSON Schema `required`: none by default, the address is
// enough), which the customer may edit on the account page, and which are sensitive (changing them
// needs a recent sign-in). Every profile write - admin API, CLI, account page, registration - is
// checked against it with Ajv; an attribute the schema does not name is refused.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { AuditLog } from '../audit/audit-log.ts';
import type { RequestContext } from '../context.ts';
import { FrontdoorError } from '../errors.ts';
import type { Clock, ProfileAttributeSchema, ProfileSchema, Store, Tenant, User } from '../ports.ts';

const text = (title: string, extra: Partial<ProfileAttributeSchema> = {}): ProfileAttributeSchema => ({ type: 'string', title, maxLength: 200, ...extra });

/** Without a schema of its own a tenant keeps the OpenID Connect profile claims, all optional and editable. */
export const DEFAULT_PROFILE_SCHEMA: ProfileSchema = {
  type: 'object',
  properties: {
    name: text('Full name'),
    given_name: text('First name'),
    family_name: text('Last name'),
    middle_name: text('Middle name'),
    nickname: text('Nickname'),
    preferred_username: text('Username'),
    profile: text('Profile page', { format: 'uri', maxLength: 500 }),
    picture: text('Picture', { format: 'uri', maxLength: 500 }),
    website: text('Website', { format: 'uri', maxLength: 500 }),
    gender: text('Gender', { maxLength: 50 }),
    birthdate: text('Date of birth', { format: 'date', 'x-frontdoor-sensitive': true }),
    zoneinfo: text('Time zone', { maxLength: 100 }),
    locale: text('Language', { maxLength: 35 }),
    address: text('Postal address', { maxLength: 500 }),
  },
  additionalProperties: false,
};

export function profileSchemaOf(tenant: Tenant): ProfileSchema {
  return tenant.settings.profileSchema ?? DEFAULT_PROFILE_SCHEMA;
}

export const isEditable = (attribute: ProfileAttributeSchema): boolean => attribute['x-frontdoor-editable'] !== false;
export const isSensitive = (attribute: ProfileAttributeSchema): boolean => attribute['x-frontdoor-sensitive'] === true;
/** Required attributes are asked at registration whatever `x-frontdoor-collect` says. */
export const collectedAtRegistration = (schema: ProfileSchema, name: string): boolean =>
  schema.properties[name]?.['x-frontdoor-collect'] === 'registration' || (schema.required ?? []).includes(name);

const ajv = new Ajv({ allErrors: false, strict: true });
addFormats.default(ajv, ['date', 'email', 'uri']);
for (const keyword of ['x-frontdoor-collect', 'x-frontdoor-editable', 'x-frontdoor-sensitive']) ajv.addKeyword({ keyword, schemaType: ['string', 'boolean'] });

// Compiled validators by schema text: tenants share the default, and a schema changes rarely.
const compiled = new Map<string, ValidateFunction>();
const MAX_COMPILED = 500;

function validatorFor(schema: ProfileSchema, requireRegistration: boolean): ValidateFunction {
  const effective = { ...schema, additionalProperties: false, required: requireRegistration ? (schema.required ?? []) : [] };
  const key = JSON.stringify(effective);
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(effective);
    if (compiled.size >= MAX_COMPILED) compiled.delete(compiled.keys().next().value as string);
    compiled.set(key, validate);
  }
  return validate;
}

function toError(error: ErrorObject): FrontdoorError {
  if (error.keyword === 'additionalProperties') {
    return new FrontdoorError('profile.unknown_attribute', { field: `profile.${String(error.params.additionalProperty)}` });
  }
  const name = error.keyword === 'required' ? String(error.params.missingProperty) : error.instancePath.split('/')[1] ?? '';
  return new FrontdoorError('profile.invalid', { field: name ? `profile.${name}` : 'profile', detail: error.message ?? error.keyword });
}

/**
 * Throws `profile.invalid` (a value of the wrong type, format or size; a required one missing at
 * registration) or `profile.unknown_attribute`, naming the attribute in `field` (`profile.<name>`).
 */
export function checkProfile(schema: ProfileSchema, profile: Record<string, unknown>, options: { registration?: boolean } = {}): void {
  const validate = validatorFor(schema, options.registration === true);
  if (!validate(profile)) throw toError(validate.errors?.[0] as ErrorObject);
}

/** A schema an admin sends, checked beyond its shape (which the HTTP schema checks): it must compile and agree with itself. */
export function checkProfileSchema(schema: ProfileSchema): ProfileSchema {
  const fail = (detail: string) => new FrontdoorError('profile.schema_invalid', { field: 'properties', detail });
  for (const name of schema.required ?? []) {
    if (!schema.properties[name]) throw fail(`required attribute "${name}" is not among the properties`);
  }
  for (const [name, attribute] of Object.entries(schema.properties)) {
    const isText = attribute.type === 'string';
    if (!isText && (attribute.format !== undefined || attribute.enum !== undefined || attribute.minLength !== undefined || attribute.maxLength !== undefined)) {
      throw fail(`"${name}": format, enum, minLength and maxLength apply to strings only`);
    }
    if (isText && attribute.enum === undefined && attribute.format === undefined && attribute.maxLength === undefined) {
      throw fail(`"${name}": a string needs maxLength, an enum or a format`);
    }
    if ((attribute.type === 'boolean' || isText) && (attribute.minimum !== undefined || attribute.maximum !== undefined)) throw fail(`"${name}": minimum and maximum apply to numbers only`);
    if (attribute.minimum !== undefined && attribute.maximum !== undefined && attribute.minimum > attribute.maximum) throw fail(`"${name}": minimum is above maximum`);
    if (attribute.minLength !== undefined && attribute.maxLength !== undefined && attribute.minLength > attribute.maxLength) throw fail(`"${name}": minLength is above maxLength`);
  }
  const normalized: ProfileSchema = { type: 'object', properties: schema.properties, ...(schema.required?.length ? { required: schema.required } : {}), additionalProperties: false };
  validatorFor(normalized, true);
  return normalized;
}

type Deps = { store: Store; clock: Clock; audit: AuditLog };

/** What the registration page asked for, from its form; throws naming the attribute when it does not fit. */
export function registrationProfile(schema: ProfileSchema, form: (name: string) => string | undefined): Record<string, unknown> {
  const { profile } = profileFromForm(schema, {}, form, (name) => collectedAtRegistration(schema, name));
  checkProfile(schema, profile, { registration: true });
  return profile;
}

/** The customer's own edit (account page): only what changed is checked, so an old value the schema no longer allows does not block the rest. */
export async function updateOwnProfile(deps: Deps, tenant: Tenant, user: User, next: { profile: Record<string, unknown>; changed: string[] }, ctx: RequestContext): Promise<User> {
  const schema = profileSchemaOf(tenant);
  if (next.changed.length === 0) return user;
  for (const name of next.changed) {
    const attribute = schema.properties[name];
    if (!attribute || !isEditable(attribute)) throw new FrontdoorError('profile.unknown_attribute', { field: `profile.${name}` });
    if (next.profile[name] === undefined && (schema.required ?? []).includes(name)) throw new FrontdoorError('profile.invalid', { field: `profile.${name}` });
  }
  checkProfile(schema, Object.fromEntries(next.changed.filter((name) => next.profile[name] !== undefined).map((name) => [name, next.profile[name]])));
  const updated = await deps.store.users.update(tenant.id, user.id, { profile: next.profile }, deps.clock.now());
  if (!updated) throw new FrontdoorError('user.not_found');
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.profile_updated', result: 'success', subject: user.id, details: { fields: next.changed } });
  return updated;
}

/** Replaces the tenant's profile schema; null goes back to the default. Profiles already stored are not rewritten. */
export async function setProfileSchema(deps: Deps, tenant: Tenant, schema: ProfileSchema | null, ctx: RequestContext): Promise<ProfileSchema> {
  const { profileSchema: _previous, ...rest } = tenant.settings;
  const checked = schema === null ? null : checkProfileSchema(schema);
  const updated = await deps.store.tenants.update(tenant.id, { settings: checked === null ? rest : { ...rest, profileSchema: checked } }, deps.clock.now());
  if (!updated) throw new FrontdoorError('tenant.not_found');
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'admin.profile_schema_updated', result: 'success', details: { attributes: Object.keys(checked?.properties ?? DEFAULT_PROFILE_SCHEMA.properties) } });
  return profileSchemaOf(updated);
}

/**
 * Reads a profile form: each attribute the form shows (`shown`: by default those the customer may
 * edit) from its field `profile.<name>` (a checkbox for a boolean; an empty field removes the
 * value). Other attributes keep their value; anything else in the form is ignored. Returns the new
 * profile and which attributes changed.
 */
export function profileFromForm(
  schema: ProfileSchema,
  current: Record<string, unknown>,
  form: (name: string) => string | undefined,
  shown: (name: string, attribute: ProfileAttributeSchema) => boolean = (_name, attribute) => isEditable(attribute),
): { profile: Record<string, unknown>; changed: string[] } {
  const profile: Record<string, unknown> = { ...current };
  const changed: string[] = [];
  for (const [name, attribute] of Object.entries(schema.properties)) {
    if (!shown(name, attribute)) continue;
    const raw = form(`profile.${name}`);
    let value: unknown;
    if (attribute.type === 'boolean') value = raw === '1' || raw === 'on' ? true : name in profile ? false : undefined;
    else if (raw === undefined || raw.trim() === '') value = undefined;
    else if (attribute.type === 'string') value = raw.trim();
    else {
      const number = Number(raw.trim());
      // Left as text, so the schema check names the attribute.
      value = raw.trim() !== '' && Number.isFinite(number) ? number : raw;
    }
    if (value === undefined) {
      if (name in profile) {
        delete profile[name];
        changed.push(name);
      }
    } else if (profile[name] !== value) {
      profile[name] = value;
      changed.push(name);
    }
  }
  return { profile, changed };
}
