// Progressive profiling: instead of a long registration form, a tenant asks for attributes when they
// are needed - "after the 3rd sign-in ask for the shoe size", "before the shop app gets the
// `address` scope, ask for the address". A rule asks once for whatever of its attributes the
// profile still lacks; a skippable rule skipped is not asked again (the skip is an audit event, so
// nothing new is stored), a required one blocks the sign-in into that app until answered.
import type { AuditLog } from '../audit/audit-log.ts';
import type { RequestContext } from '../context.ts';
import { FrontdoorError } from '../errors.ts';
import type { Clock, ProfileRule, Store, Tenant, User } from '../ports.ts';
import { checkProfile, isEditable, profileFromForm, profileSchemaOf } from './profile-schema.ts';

type Deps = { store: Store; clock: Clock; audit: AuditLog };

/** Where the prompt would show: an app's authorization request (client and scopes), or a plain sign-in (neither). */
export interface PromptContext {
  clientId: string | null;
  scopes: readonly string[];
}

export interface DuePrompt {
  rule: ProfileRule;
  /** The rule's attributes the profile still lacks, in the rule's order. */
  attributes: string[];
}

export function profileRulesOf(tenant: Tenant): ProfileRule[] {
  return tenant.settings.profileRules ?? [];
}

/** Rules an admin sends: unique ids, attributes the tenant's schema has and lets the customer edit, at least one trigger. */
export function checkProfileRules(tenant: Tenant, rules: ProfileRule[]): ProfileRule[] {
  const schema = profileSchemaOf(tenant);
  const seen = new Set<string>();
  rules.forEach((rule, index) => {
    const fail = (detail: string) => new FrontdoorError('request.invalid', { field: `rules.${index}`, detail });
    if (seen.has(rule.id)) throw fail(`rule id "${rule.id}" is used twice`);
    seen.add(rule.id);
    for (const name of rule.ask) {
      const attribute = schema.properties[name];
      if (!attribute) throw fail(`"${name}" is not in the profile schema`);
      if (!isEditable(attribute)) throw fail(`"${name}" is not editable by the customer`);
    }
    if (rule.afterSignIns === undefined && rule.clientId === undefined && rule.scope === undefined) throw fail('a rule needs after_sign_ins, client_id or scope');
  });
  return rules;
}

export async function setProfileRules(deps: Deps, tenant: Tenant, rules: ProfileRule[], ctx: RequestContext): Promise<ProfileRule[]> {
  const checked = checkProfileRules(tenant, rules);
  const updated = await deps.store.tenants.update(tenant.id, { settings: { ...tenant.settings, profileRules: checked } }, deps.clock.now());
  if (!updated) throw new FrontdoorError('tenant.not_found');
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'admin.profile_rules_updated', result: 'success', details: { rules: checked.map((r) => r.id) } });
  return profileRulesOf(updated);
}

const isMissing = (value: unknown) => value === undefined || value === null || value === '';

/** Whether the rule's triggers hold here: the app and scope it names, and enough sign-ins. */
async function triggered(deps: Deps, tenant: Tenant, user: User, rule: ProfileRule, where: PromptContext): Promise<boolean> {
  if (rule.clientId !== undefined && rule.clientId !== where.clientId) return false;
  if (rule.scope !== undefined && !where.scopes.includes(rule.scope)) return false;
  // A rule about an app or a scope waits for that app; one about sign-ins alone shows anywhere.
  if (rule.afterSignIns !== undefined && rule.afterSignIns > 0) {
    const logins = await deps.store.audit.query({ tenantId: tenant.id, subject: user.id, action: 'user.login', limit: Math.min(rule.afterSignIns * 3, 100) });
    if (logins.items.filter((e) => e.result === 'success').length < rule.afterSignIns) return false;
  }
  return true;
}

async function skippedRules(deps: Deps, tenant: Tenant, user: User): Promise<Set<string>> {
  const skips = await deps.store.audit.query({ tenantId: tenant.id, subject: user.id, action: 'user.profile_prompt_skipped', limit: 100 });
  return new Set(skips.items.map((e) => String(e.details.rule)));
}

/** The first rule to ask now, with what it still needs; null when nothing is due. */
export async function duePrompt(deps: Deps, tenant: Tenant, user: User, where: PromptContext): Promise<DuePrompt | null> {
  const rules = profileRulesOf(tenant);
  if (rules.length === 0) return null;
  const schema = profileSchemaOf(tenant);
  let skipped: Set<string> | null = null;
  for (const rule of rules) {
    // An attribute the schema no longer has or lets the customer edit cannot be asked for.
    const attributes = rule.ask.filter((name) => schema.properties[name] && isEditable(schema.properties[name]) && isMissing(user.profile[name]));
    if (attributes.length === 0) continue;
    if (!(await triggered(deps, tenant, user, rule, where))) continue;
    if (!rule.required) {
      skipped ??= await skippedRules(deps, tenant, user);
      if (skipped.has(rule.id)) continue;
    }
    return { rule, attributes };
  }
  return null;
}

/**
 * The customer's answer to a prompt: the attributes it asked for, from the form. A required rule
 * needs every one of them; each value is checked against the schema.
 */
export async function answerPrompt(deps: Deps, tenant: Tenant, user: User, prompt: DuePrompt, form: (name: string) => string | undefined, ctx: RequestContext): Promise<User> {
  const schema = profileSchemaOf(tenant);
  const asked = new Set(prompt.attributes);
  const next = profileFromForm(schema, user.profile, form, (name) => asked.has(name));
  const missing = prompt.rule.required ? prompt.attributes.find((name) => isMissing(next.profile[name])) : undefined;
  if (missing) throw new FrontdoorError('profile.invalid', { field: `profile.${missing}` });
  const answered = next.changed.filter((name) => !isMissing(next.profile[name]));
  checkProfile(schema, Object.fromEntries(answered.map((name) => [name, next.profile[name]])));
  if (answered.length === 0) {
    // Nothing given to a skippable prompt: the same as "Not now".
    await skipPrompt(deps, tenant, user, prompt, ctx);
    return user;
  }
  const updated = await deps.store.users.update(tenant.id, user.id, { profile: next.profile }, deps.clock.now());
  if (!updated) throw new FrontdoorError('user.not_found');
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.profile_updated', result: 'success', subject: user.id, details: { fields: answered, rule: prompt.rule.id } });
  return updated;
}

/** "Not now" on a skippable prompt: it is not asked again. */
export async function skipPrompt(deps: Deps, tenant: Tenant, user: User, prompt: DuePrompt, ctx: RequestContext): Promise<void> {
  if (prompt.rule.required) throw new FrontdoorError('profile.invalid', { field: `profile.${prompt.attributes[0] ?? ''}`, detail: 'this rule cannot be skipped' });
  await deps.audit.record(ctx, { tenantId: tenant.id, action: 'user.profile_prompt_skipped', result: 'success', subject: user.id, details: { rule: prompt.rule.id } });
}
