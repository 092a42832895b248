// `npm run bench:vault`: what envelope encryption adds to reading an account by its address (the
// lookup every sign-in makes), against the same row read without opening anything, measured in
// the same run on an embedded SQLite database: blind index, join of the wrapped data key, unwrap
// (remembered after the first read) and two AES-256-GCM opens. Also the cost of a cold unwrap.
import { randomBytes } from 'node:crypto';
import { createLocalKeyProvider } from '../src/adapters/keys/local-key-provider.ts';
import { createKyselyStore } from '../src/storage/kysely-store.ts';
import { openDatabase } from '../src/storage/database.ts';
import { migrateToLatest } from '../src/storage/migrations.ts';
import { openPersonalDataVault } from '../src/storage/personal-data-vault.ts';
import { newId } from '../src/core/secrets.ts';

const USERS = Number(process.env.BENCH_USERS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const LOOKUPS = Number(process.env.BENCH_LOOKUPS ?? 20_000);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main() {
  const { db, engine } = openDatabase({ engine: 'sqlite', file: ':memory:' });
  await migrateToLatest(db, engine);
  const masterKey = randomBytes(32);
  const provider = createLocalKeyProvider(masterKey);
  const vault = await openPersonalDataVault(db, provider, masterKey);
  const store = createKyselyStore(db, vault);
  const now = Date.now();
  await store.tenants.create({ id: 't', name: 'T', branding: {}, settings: {}, createdAt: now, updatedAt: now });
  const emails: string[] = [];
  for (let i = 0; i < USERS; i++) {
    const email = `user${i}@example.com`;
    emails.push(email);
    await store.users.create({ id: newId('usr'), tenantId: 't', status: 'active', email, emailVerified: true, profile: { given_name: `Given${i}`, family_name: `Family${i}` }, createdAt: now, updatedAt: now, lastLoginAt: null });
  }
  // The reference: the same row by the same index, nothing opened.
  const rawLookup = (email: string) => db.selectFrom('users').selectAll().where('tenant_id', '=', 't').where('email_index', '=', vault.emailIndex('t', email)).executeTakeFirst();
  const timed = async (lookup: (email: string) => Promise<unknown>) => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < LOOKUPS; i++) {
      if (!(await lookup(emails[i % USERS]!))) throw new Error('missing row');
    }
    return Number(process.hrtime.bigint() - started) / 1000 / LOOKUPS;
  };
  // Warm both paths (statement cache, unwrapped keys) before measuring.
  await timed(rawLookup);
  await timed((email) => store.users.findByEmail('t', email));
  const raw: number[] = [];
  const sealed: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const r = await timed(rawLookup);
    const s = await timed((email) => store.users.findByEmail('t', email));
    raw.push(r);
    sealed.push(s);
    ratios.push(s / r);
  }
  // A cold unwrap: what the first read of an account on a node pays once.
  const unwrapStarted = process.hrtime.bigint();
  const keyRows = await db.selectFrom('user_data_keys').selectAll().execute();
  for (const row of keyRows) await provider.unwrap({ keyId: row.key_id, wrapped: row.wrapped }, `user-data-key:${row.tenant_id}:${row.user_id}`);
  const unwrapUs = Number(process.hrtime.bigint() - unwrapStarted) / 1000 / keyRows.length;
  console.log(
    JSON.stringify(
      {
        users: USERS,
        lookups_per_round: LOOKUPS,
        rounds: ROUNDS,
        raw_lookup_us_median: Number(median(raw).toFixed(2)),
        sealed_lookup_us_median: Number(median(sealed).toFixed(2)),
        added_us_median: Number((median(sealed) - median(raw)).toFixed(2)),
        ratio_median: Number(median(ratios).toFixed(2)),
        cold_unwrap_us: Number(unwrapUs.toFixed(2)),
      },
      null,
      2,
    ),
  );
  await db.destroy();
}

await main();
