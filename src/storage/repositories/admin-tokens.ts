import type { AdminToken, AdminTokenRepository } from '../../core/ports.ts';
import type { AdminTokensTable } from '../schema.ts';
import type { Db } from './rows.ts';

function toToken(row: AdminTokensTable): AdminToken {
  return {
    id: row.id,
    name: row.name,
    tokenHash: row.token_hash,
    kind: row.kind as AdminToken['kind'],
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    consumedAt: row.consumed_at,
  };
}

export function adminTokenRepository(db: Db): AdminTokenRepository {
  return {
    async create(t) {
      await db
        .insertInto('admin_tokens')
        .values({ id: t.id, name: t.name, token_hash: t.tokenHash, kind: t.kind, created_at: t.createdAt, expires_at: t.expiresAt, consumed_at: t.consumedAt })
        .execute();
    },
    async findByHash(tokenHash) {
      const row = await db.selectFrom('admin_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      return row ? toToken(row) : null;
    },
    async consumeSetup(tokenHash, now) {
      const row = await db
        .updateTable('admin_tokens')
        .set({ consumed_at: now })
        .where('token_hash', '=', tokenHash)
        .where('kind', '=', 'setup')
        .where('consumed_at', 'is', null)
        .where('expires_at', '>', now)
        .returningAll()
        .executeTakeFirst();
      return row ? toToken(row) : null;
    },
    async count(kind) {
      const row = await db.selectFrom('admin_tokens').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', kind).executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
