// /tenants/:tenantId/consent-purposes: what a tenant asks its customers' consent for, with every
// version of each policy text. /tenants/:tenantId/users/:userId/consents: a customer's current
// choices and the full, append-only history; apps and imports record choices made elsewhere.
import type { Services } from '../../app.ts';
import { changeConsentPurpose, consentOverview, createConsentPurpose, recordConsentChoices } from '../../core/consent/consent.ts';
import { FrontdoorError } from '../../core/errors.ts';
import type { ConsentPurpose as Purpose, ConsentRecord } from '../../core/ports.ts';
import { requireTenant } from '../../core/tenants/tenant-admin.ts';
import { getUser } from '../../core/users/user-admin.ts';
import { adminContext } from './auth.ts';
import { iso } from './wire.ts';
import {
  ConsentPolicyVersionList,
  ConsentPurpose,
  ConsentPurposeList,
  ConsentPurposeParams,
  CreateConsentPurposeBody,
  errorResponses,
  RecordConsentsBody,
  TenantParams,
  UpdateConsentPurposeBody,
  UserConsents,
  UserParams,
  type AdminApp,
} from './schemas.ts';

const tags = ['consent'];

export function purposeToWire(p: Purpose) {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    policy_text: p.policyText,
    version: p.version,
    ask_again_from: p.askAgainFrom,
    archived: p.archived,
    created_at: iso(p.createdAt),
    updated_at: iso(p.updatedAt),
  };
}

export function consentRecordToWire(r: ConsentRecord) {
  return { id: r.id, purpose: r.purposeId, policy_version: r.policyVersion, granted: r.granted, at: iso(r.at), channel: r.channel, request_id: r.requestId, ip: r.ip, user_agent: r.userAgent };
}

export function registerConsentRoutes(app: AdminApp, services: Services): void {
  const { store } = services;

  async function userConsents(tenantId: string, userId: string) {
    const { states, history } = await consentOverview(store, tenantId, userId);
    return {
      current: states.map((s) => ({ purpose: s.purpose.id, granted: s.granted, ask_again: s.askAgain, policy_version: s.latest?.policyVersion ?? null, since: s.latest ? iso(s.latest.at) : null })),
      history: history.map(consentRecordToWire),
    };
  }

  async function requireUser(tenantId: string, userId: string) {
    const tenant = await requireTenant(store, tenantId);
    return { tenant, user: await getUser(store, tenant.id, userId) };
  }

  app.get(
    '/tenants/:tenantId/consent-purposes',
    { schema: { tags, summary: 'List consent purposes', params: TenantParams, response: { 200: ConsentPurposeList, ...errorResponses(404) } } },
    async (request) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      return { items: (await store.consent.listPurposes(tenant.id)).map(purposeToWire) };
    },
  );

  app.post(
    '/tenants/:tenantId/consent-purposes',
    {
      schema: {
        tags,
        summary: 'Create a consent purpose',
        description: 'Offered, unchecked, on the registration page and the account page from now on.',
        params: TenantParams,
        body: CreateConsentPurposeBody,
        response: { 201: ConsentPurpose, ...errorResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      const { id, name, description, policy_text: policyText } = request.body;
      return reply.status(201).send(purposeToWire(await createConsentPurpose(services, tenant.id, { id, name, description, policyText }, adminContext(request))));
    },
  );

  app.patch(
    '/tenants/:tenantId/consent-purposes/:purposeId',
    {
      schema: {
        tags,
        summary: 'Change a consent purpose or publish a new policy version',
        description: '`policy` publishes the next version; with `ask_again: true` earlier grants stop counting. Archiving stops offering the purpose; nothing is deleted.',
        params: ConsentPurposeParams,
        body: UpdateConsentPurposeBody,
        response: { 200: ConsentPurpose, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      const { name, archived, policy } = request.body;
      const changed = await changeConsentPurpose(
        services,
        tenant.id,
        request.params.purposeId,
        {
          ...(name !== undefined ? { name } : {}),
          ...(archived !== undefined ? { archived } : {}),
          ...(policy ? { policy: { description: policy.description, policyText: policy.policy_text, askAgain: policy.ask_again } } : {}),
        },
        adminContext(request),
      );
      return purposeToWire(changed);
    },
  );

  app.get(
    '/tenants/:tenantId/consent-purposes/:purposeId/versions',
    { schema: { tags, summary: 'Every version of a purpose’s policy', params: ConsentPurposeParams, response: { 200: ConsentPolicyVersionList, ...errorResponses(404) } } },
    async (request) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      if (!(await store.consent.getPurpose(tenant.id, request.params.purposeId))) throw new FrontdoorError('consent.purpose_not_found');
      const versions = await store.consent.versions(tenant.id, request.params.purposeId);
      return { items: versions.map((v) => ({ version: v.version, description: v.description, policy_text: v.policyText, created_at: iso(v.createdAt) })) };
    },
  );

  app.get(
    '/tenants/:tenantId/users/:userId/consents',
    {
      schema: {
        tags,
        summary: "A user's consents: current state and history",
        description: 'What an app asks before it sends a marketing email or starts analytics.',
        params: UserParams,
        response: { 200: UserConsents, ...errorResponses(404) },
      },
    },
    async (request) => {
      const { tenant, user } = await requireUser(request.params.tenantId, request.params.userId);
      return userConsents(tenant.id, user.id);
    },
  );

  app.post(
    '/tenants/:tenantId/users/:userId/consents',
    {
      schema: {
        tags,
        summary: "Record a user's consent choices made elsewhere",
        description: 'For choices an app collected itself (`api`) or from before Frontdoor (`import`). Each change is a new record with this request as evidence; the answer is the new state.',
        params: UserParams,
        body: RecordConsentsBody,
        response: { 200: UserConsents, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const { tenant, user } = await requireUser(request.params.tenantId, request.params.userId);
      await recordConsentChoices(services.flows, tenant, user.id, request.body.choices, request.body.channel ?? 'api', adminContext(request));
      return userConsents(tenant.id, user.id);
    },
  );
}
