// Sign-in-by-email requests (code and magic link).
import { sql } from 'kysely';
import type { EmailSignIn, EmailSignInRepository } from '../../core/ports.ts';
import type { EmailSignInsTable } from '../schema.ts';
import { isStorableText, type Db } from './rows.ts';

function toRequest(row: EmailSignInsTable): EmailSignIn {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    browserHash: row.browser_hash,
    linkHash: row.link_hash,
    codeMac: row.code_mac,
    attempts: Number(row.attempts),
    returnTo: row.return_to,
    createdAt: Number(row.created_at),
    codeExpiresAt: Number(row.code_expires_at),
    linkExpiresAt: Number(row.link_expires_at),
    consumedAt: row.consumed_at === null ? null : Number(row.consumed_at),
  };
}

export function emailSignInRepository(db: Db): EmailSignInRepository {
  const open = (tenantId: string) => db.selectFrom('email_sign_ins').selectAll().where('tenant_id', '=', tenantId).where('consumed_at', 'is', null);
  return {
    async create(r) {
      await db
        .insertInto('email_sign_ins')
        .values({
          id: r.id,
          tenant_id: r.tenantId,
          user_id: r.userId,
          browser_hash: r.browserHash,
          link_hash: r.linkHash,
          code_mac: r.codeMac,
          attempts: r.attempts,
          return_to: r.returnTo,
          created_at: r.createdAt,
          code_expires_at: r.codeExpiresAt,
          link_expires_at: r.linkExpiresAt,
          consumed_at: r.consumedAt,
        })
        .execute();
    },
    async findByBrowser(tenantId, browserHash, now) {
      if (!isStorableText(browserHash)) return null;
      const row = await open(tenantId)
        .where('browser_hash', '=', browserHash)
        .where((eb) => eb.or([eb('code_expires_at', '>', now), eb('link_expires_at', '>', now)]))
        .executeTakeFirst();
      return row ? toRequest(row) : null;
    },
    async findByLink(tenantId, linkHash, now) {
      if (!isStorableText(linkHash)) return null;
      const row = await open(tenantId).where('link_hash', '=', linkHash).where('link_expires_at', '>', now).executeTakeFirst();
      return row ? toRequest(row) : null;
    },
    async recordAttempt(id) {
      await db.updateTable('email_sign_ins').set((eb) => ({ attempts: eb('attempts', '+', 1) })).where('id', '=', id).execute();
      const row = await db.selectFrom('email_sign_ins').select('attempts').where('id', '=', id).executeTakeFirst();
      return row ? Number(row.attempts) : Number.MAX_SAFE_INTEGER;
    },
    async supersede(tenantId, browserHash, now) {
      await db
        .updateTable('email_sign_ins')
        .set((eb) => ({ browser_hash: sql<string>`${eb.ref('browser_hash')} || ':' || ${eb.ref('id')}`, consumed_at: sql<number>`coalesce(${eb.ref('consumed_at')}, ${now})` }))
        .where('tenant_id', '=', tenantId)
        .where('browser_hash', '=', browserHash)
        .execute();
    },
    async consume(id, now) {
      const result = await db.updateTable('email_sign_ins').set({ consumed_at: now }).where('id', '=', id).where('consumed_at', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async swapLinkForCode(id, linkHash, codeMac, codeExpiresAt) {
      const result = await db
        .updateTable('email_sign_ins')
        .set({ link_hash: null, code_mac: codeMac, code_expires_at: codeExpiresAt, attempts: 0 })
        .where('id', '=', id)
        .where('link_hash', '=', linkHash)
        .where('consumed_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
    async deleteExpired(now) {
      const result = await db
        .deleteFrom('email_sign_ins')
        .where('link_expires_at', '<=', now)
        .where('code_expires_at', '<=', now)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
