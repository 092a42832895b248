#!/usr/bin/env node
// Entry point of the `frontdoor` command. The sources are TypeScript run by Node's own type
// stripping (no build step); Node 22.12–22.17 needs the flag, so re-run with it there.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(`frontdoor: Node.js 22.12 or newer is required (this is ${process.version})\n`);
  process.exit(1);
}
if (!process.features.typescript) {
  const result = spawnSync(process.execPath, ['--experimental-strip-types', '--no-warnings=ExperimentalWarning', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
const { main } = await import('../src/cli/main.ts');
await main(process.argv.slice(2));
