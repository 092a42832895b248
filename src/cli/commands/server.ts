// frontdoor start | migrate
import { loadConfig } from '../../config.ts';
import { openDatabase } from '../../storage/database.ts';
import { migrateToLatest } from '../../storage/migrations.ts';
import { out, outJson, type Command } from '../support.ts';

export const start: Command = {
  name: 'start',
  summary: 'Start the server',
  help: `Usage: frontdoor start

Starts a Frontdoor node: runs migrations, creates the demo tenant and an admin token on the
first embedded start, and listens on PORT (default 3000). SIGTERM/SIGINT drain and stop it.

Environment: PORT, HOST, FRONTDOOR_BASE_URL, FRONTDOOR_DATA_DIR, DATABASE_URL, REDIS_URL,
FRONTDOOR_MASTER_KEY, SMTP_URL, LOG_LEVEL (see the configuration reference).

Options:
  -h, --help    show this help`,
  async run() {
    // Loaded on demand: the HTTP stack and the pages are not needed by any other command.
    const { startServer } = await import('../../start.ts');
    await startServer(process.env);
  },
};

export const migrate: Command = {
  name: 'migrate',
  summary: 'Apply pending database migrations',
  help: `Usage: frontdoor migrate [--json]

Applies every pending migration to the database the environment points at (DATABASE_URL, or
the SQLite file in FRONTDOOR_DATA_DIR). "frontdoor start" does this too.

Options:
  --json        print {"applied": [names]} as JSON
  -h, --help    show this help`,
  options: { json: { type: 'boolean' } },
  async run(args) {
    const config = loadConfig(process.env);
    const { db, engine } = openDatabase(config.database);
    let applied: string[];
    try {
      applied = await migrateToLatest(db, engine);
    } finally {
      await db.destroy();
    }
    if (args.values.json) outJson({ applied });
    else if (applied.length === 0) out('The database is up to date; no migrations applied.');
    else out(`Applied ${applied.length} migration${applied.length === 1 ? '' : 's'}: ${applied.join(', ')}`);
  },
};
