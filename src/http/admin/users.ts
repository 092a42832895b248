// /tenants/:tenantId/users: search, create, read, change, disable/enable, delete users and end their
// sessions. A user or session id of another tenant (or user) answers 404, never 403.
import { endFailureHold } from '../../core/flows/login.ts';
import { Type } from 'typebox';
import type { Services } from '../../app.ts';
import { exportUserData } from '../../core/users/data-export.ts';
import { requireEmail } from '../../core/users/email.ts';
import { FrontdoorError } from '../../core/errors.ts';
import { requireTenant } from '../../core/tenants/tenant-admin.ts';
import { createUser, deleteUser, getUser, resetUserMfa, revokeUserSessions, setUserStatus, updateUserProfile } from '../../core/users/user-admin.ts';
import type { User as DomainUser } from '../../core/ports.ts';
import { adminContext } from './auth.ts';
import {
  CreateUserBody,
  errorResponses,
  MfaReset,
  NoContent,
  RevokedSessions,
  SessionList,
  SessionParams,
  TenantParams,
  UpdateUserBody,
  User,
  UserListQuery,
  UserPage,
  UserParams,
  type AdminApp,
} from './schemas.ts';
import { sessionToWire, userToWire } from './wire.ts';

const tags = ['users'];
const DEFAULT_PAGE_SIZE = 50;

export function registerUserRoutes(app: AdminApp, services: Services): void {
  const { store } = services;

  async function requireUser(tenantId: string, userId: string): Promise<DomainUser> {
    const tenant = await requireTenant(store, tenantId);
    return getUser(store, tenant.id, userId);
  }

  app.get(
    '/tenants/:tenantId/users',
    {
      schema: {
        tags,
        summary: 'List and search users',
        description: 'Oldest first. Pass `next_cursor` back as `cursor` for the next page; it is null on the last page.',
        params: TenantParams,
        querystring: UserListQuery,
        response: { 200: UserPage, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      const { email, status, limit, cursor } = request.query;
      const page = await store.users.list({
        tenantId: tenant.id,
        // Searched in the stored normal form, so case and an IDN domain's form do not matter.
        ...(email !== undefined ? { email: requireEmail(email) } : {}),
        ...(status ? { status } : {}),
        limit: limit ?? DEFAULT_PAGE_SIZE,
        cursor: cursor ?? null,
      });
      return { items: page.items.map(userToWire), next_cursor: page.nextCursor };
    },
  );

  app.post(
    '/tenants/:tenantId/users',
    {
      schema: {
        tags,
        summary: 'Create a user',
        description: 'Answers 409 `user.exists` when the email (compared case-insensitively) is taken in the tenant.',
        params: TenantParams,
        body: CreateUserBody,
        response: { 201: User, ...errorResponses(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const tenant = await requireTenant(store, request.params.tenantId);
      const { email, password, email_verified, profile } = request.body;
      const user = await createUser(
        services,
        { tenant, email, password, ...(email_verified !== undefined ? { verified: email_verified } : {}), ...(profile ? { profile } : {}) },
        adminContext(request),
      );
      return reply.status(201).send(userToWire(user));
    },
  );

  app.get(
    '/tenants/:tenantId/users/:userId',
    { schema: { tags, summary: 'Get a user', params: UserParams, response: { 200: User, ...errorResponses(404) } } },
    async (request) => userToWire(await requireUser(request.params.tenantId, request.params.userId)),
  );

  app.get(
    '/tenants/:tenantId/users/:userId/export',
    {
      schema: {
        tags,
        summary: "Export a user's data",
        description:
          'Everything held about the user as one JSON document (`format: frontdoor.user_export/1`), as the user downloads it from the account page: account and profile, sign-in methods (never a secret), active sessions, remembered devices, connected apps, sign-ins, risk assessments and audit events about them. For a data subject access or portability request. Audited.',
        params: UserParams,
        response: { 200: Type.Any({ description: 'The export document' }), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      const user = await requireUser(request.params.tenantId, request.params.userId);
      await services.audit.record(adminContext(request), { tenantId: user.tenantId, action: 'admin.user_data_exported', result: 'success', subject: user.id });
      // This node's buffered sign-ins and assessments first, so the export holds the latest.
      await services.flows.risk.flush();
      const document = await exportUserData(services, user.tenantId, user);
      return reply.header('content-disposition', `attachment; filename="${user.id}.json"`).send(document);
    },
  );

  app.patch(
    '/tenants/:tenantId/users/:userId',
    {
      schema: {
        tags,
        summary: 'Change a user',
        description: '`profile` replaces the stored profile. Setting `status` to `disabled` ends every session of the user.',
        params: UserParams,
        body: UpdateUserBody,
        response: { 200: User, ...errorResponses(400, 404) },
      },
    },
    async (request) => {
      const current = await requireUser(request.params.tenantId, request.params.userId);
      const ctx = adminContext(request);
      const { profile, email_verified, status } = request.body;
      let user = current;
      if (profile !== undefined || email_verified !== undefined) {
        const patch = { ...(profile !== undefined ? { profile } : {}), ...(email_verified !== undefined ? { emailVerified: email_verified } : {}) };
        user = await updateUserProfile(services, current.tenantId, current.id, patch, ctx);
      }
      if (status !== undefined) user = await setUserStatus(services, current.tenantId, current.id, status, ctx);
      return userToWire(user);
    },
  );

  app.post(
    '/tenants/:tenantId/users/:userId/disable',
    { schema: { tags, summary: 'Disable a user', description: 'Ends every session of the user.', params: UserParams, response: { 200: User, ...errorResponses(404) } } },
    async (request) => {
      const current = await requireUser(request.params.tenantId, request.params.userId);
      return userToWire(await setUserStatus(services, current.tenantId, current.id, 'disabled', adminContext(request)));
    },
  );

  app.post(
    '/tenants/:tenantId/users/:userId/enable',
    { schema: { tags, summary: 'Enable a user', params: UserParams, response: { 200: User, ...errorResponses(404) } } },
    async (request) => {
      const current = await requireUser(request.params.tenantId, request.params.userId);
      return userToWire(await setUserStatus(services, current.tenantId, current.id, 'active', adminContext(request)));
    },
  );

  app.delete(
    '/tenants/:tenantId/users/:userId',
    { schema: { tags, summary: 'Delete a user', params: UserParams, response: { 204: NoContent, ...errorResponses(404) } } },
    async (request, reply) => {
      const current = await requireUser(request.params.tenantId, request.params.userId);
      await deleteUser(services, current.tenantId, current.id, adminContext(request));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/tenants/:tenantId/users/:userId/sessions',
    { schema: { tags, summary: "List a user's active sessions", params: UserParams, response: { 200: SessionList, ...errorResponses(404) } } },
    async (request) => {
      const user = await requireUser(request.params.tenantId, request.params.userId);
      return { items: (await services.sessions.listForUser(user.tenantId, user.id)).map(sessionToWire) };
    },
  );

  app.delete(
    '/tenants/:tenantId/users/:userId/sessions',
    { schema: { tags, summary: "End all of a user's sessions", params: UserParams, response: { 200: RevokedSessions, ...errorResponses(404) } } },
    async (request) => {
      const user = await requireUser(request.params.tenantId, request.params.userId);
      return { revoked: await revokeUserSessions(services, user.tenantId, user.id, adminContext(request)) };
    },
  );

  app.delete(
    '/tenants/:tenantId/users/:userId/mfa',
    {
      schema: {
        tags,
        summary: "Reset a user's second factor",
        description: 'Removes the authenticator app and recovery codes (for a user who lost them). Audited; the user is told by mail.',
        params: UserParams,
        response: { 200: MfaReset, ...errorResponses(404) },
      },
    },
    async (request) => {
      const user = await requireUser(request.params.tenantId, request.params.userId);
      const tenant = await requireTenant(services.store, user.tenantId);
      return resetUserMfa(services.flows, tenant, user.id, adminContext(request));
    },
  );

  app.delete(
    '/tenants/:tenantId/users/:userId/sign-in-hold',
    {
      schema: {
        tags,
        summary: 'Lift the hold after many failed sign-ins',
        description:
          'After 100 consecutive failed password sign-ins an account accepts its password only from devices it knows, until the owner proves the verified address or an admin lifts the hold here. Audited. 204 whether or not there was a hold.',
        params: UserParams,
        response: { 204: NoContent, ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      const user = await requireUser(request.params.tenantId, request.params.userId);
      const tenant = await requireTenant(services.store, user.tenantId);
      await endFailureHold(services.flows, tenant, user.id, adminContext(request));
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/tenants/:tenantId/users/:userId/sessions/:sessionId',
    { schema: { tags, summary: 'End one session of a user', params: SessionParams, response: { 204: NoContent, ...errorResponses(404) } } },
    async (request, reply) => {
      const user = await requireUser(request.params.tenantId, request.params.userId);
      const { sessionId } = request.params;
      // Only a live session of this very user: another user's session id is "not found".
      const live = await store.sessions.listActiveForUser(user.tenantId, user.id, services.clock.now());
      if (!live.some((session) => session.id === sessionId)) throw new FrontdoorError('session.not_found');
      if (!(await store.sessions.revoke(user.tenantId, sessionId, services.clock.now()))) throw new FrontdoorError('session.not_found');
      await services.audit.record(adminContext(request), { tenantId: user.tenantId, action: 'admin.user_session_revoked', result: 'success', subject: user.id, details: { session: sessionId } });
      return reply.status(204).send(null);
    },
  );
}
