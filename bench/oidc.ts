// `npm run bench:oidc`: Frontdoor's OIDC endpoints against a bare oidc-provider (in-memory
// adapter, no database) measured in the same run on the same machine, as a ratio.
//
//   frontdoor  bench/oidc-server.ts, its own process (SQLite; PostgreSQL via BENCH_DATABASE_URL;
//              Redis for short-lived models via BENCH_REDIS_URL)
//   bare       bench/oidc-bare-server.ts, its own process
//   load       autocannon in this process
//
// Scenarios, each a successful operation counted only when the answer is right:
//   cc-jwt      client_credentials token for an API resource with JWT access tokens (200)
//   cc-opaque   the same with opaque access tokens, which must be stored (200)
//   introspect  introspection of an opaque access token (200, active)
//   code        authorization code round trip of a signed-in browser: GET /auth → 303 with a code,
//               POST /token with code + PKCE verifier → 200
// Targets alternate per round (bare, frontdoor, bare, frontdoor, …) and the table reports medians.
// Settings (env): BENCH_DURATION_SECONDS (10), BENCH_WARMUP_SECONDS (2), BENCH_CONNECTIONS (8),
// BENCH_ROUNDS (3), BENCH_SCENARIOS (all; comma-separated subset), BENCH_DATABASE_URL, BENCH_REDIS_URL.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon, { type Request } from 'autocannon';
import type { OidcTargetReady } from './oidc-targets.ts';
import { processCpuMs } from './machine.ts';
import { JsonLines } from './support.ts';

const GOAL = 0.9;
const SCENARIOS = ['cc-jwt', 'cc-opaque', 'introspect', 'code'] as const;
type Scenario = (typeof SCENARIOS)[number];

function wholeNumber(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    process.stderr.write(`bench:oidc: ${name} must be a whole number between ${min} and ${max}, got "${raw}"\n`);
    process.exit(2);
  }
  return value;
}

function scenarioList(): Scenario[] {
  const raw = process.env.BENCH_SCENARIOS?.trim();
  if (!raw) return [...SCENARIOS];
  const chosen = raw.split(',').map((s) => s.trim());
  const unknown = chosen.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length) {
    process.stderr.write(`bench:oidc: unknown scenario ${unknown.join(', ')} (known: ${SCENARIOS.join(', ')})\n`);
    process.exit(2);
  }
  return chosen as Scenario[];
}

const settings = {
  durationSeconds: wholeNumber('BENCH_DURATION_SECONDS', 10, 1, 3600),
  warmupSeconds: wholeNumber('BENCH_WARMUP_SECONDS', 2, 0, 600),
  connections: wholeNumber('BENCH_CONNECTIONS', 8, 1, 1000),
  rounds: wholeNumber('BENCH_ROUNDS', 3, 1, 50),
  scenarios: scenarioList(),
  databaseUrl: process.env.BENCH_DATABASE_URL?.trim() || null,
  redisUrl: process.env.BENCH_REDIS_URL?.trim() || null,
};
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
const log = (line: string) => process.stderr.write(`${line}\n`);
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

// ---- targets -------------------------------------------------------------------------------------

interface Target {
  ready: OidcTargetReady;
  base: string;
  tokenPath: string;
  introspectionPath: string;
  authorizationPath: string;
  stop(): Promise<void>;
}

async function startTarget(file: string): Promise<Target> {
  const child = spawn(process.execPath, [here(file)], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: {
      ...process.env,
      ...(settings.databaseUrl ? { BENCH_DATABASE_URL: settings.databaseUrl } : {}),
      ...(settings.redisUrl ? { BENCH_REDIS_URL: settings.redisUrl } : {}),
    },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new JsonLines(child, file).next<OidcTargetReady>(120_000, `${file} start`);
  const base = `http://127.0.0.1:${ready.port}`;
  const discovery = (await (await fetch(`${ready.issuer}/.well-known/openid-configuration`)).json()) as Record<string, string>;
  const path = (url: string | undefined, what: string) => {
    if (!url) throw new Error(`${ready.target}: discovery has no ${what}`);
    return new URL(url).pathname;
  };
  return {
    ready,
    base,
    tokenPath: path(discovery.token_endpoint, 'token_endpoint'),
    introspectionPath: path(discovery.introspection_endpoint, 'introspection_endpoint'),
    authorizationPath: path(discovery.authorization_endpoint, 'authorization_endpoint'),
    async stop() {
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGTERM'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

const basic = (clientId: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;
const FORM = 'application/x-www-form-urlencoded';

function clientCredentialsBody(target: Target, resource: string): string {
  return new URLSearchParams({ grant_type: 'client_credentials', scope: target.ready.scope, resource }).toString();
}

async function post(target: Target, path: string, body: string, authorization: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(new URL(path, target.base), { method: 'POST', headers: { authorization, 'content-type': FORM }, body });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

// ---- browsers for the code flow ------------------------------------------------------------------

class CookieJar {
  private readonly cookies = new Map<string, string>();
  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';')[0]!;
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

const verifier = randomBytes(32).toString('base64url');
const challenge = createHash('sha256').update(verifier).digest('base64url');

function authorizationQuery(target: Target): string {
  return `?${new URLSearchParams({ response_type: 'code', client_id: target.ready.web.clientId, redirect_uri: target.ready.web.redirectUri, scope: 'openid', code_challenge: challenge, code_challenge_method: 'S256' })}`;
}

function codeBody(target: Target, code: string): string {
  return new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: target.ready.web.redirectUri, code_verifier: verifier }).toString();
}

/** A browser signed in at the target with a provider session, so /auth answers with a code at once. */
async function signedInBrowser(target: Target): Promise<string> {
  const jar = new CookieJar();
  const get = async (path: string) => {
    const response = await fetch(new URL(path, target.base), { redirect: 'manual', headers: { cookie: jar.header(), accept: 'text/html' } });
    jar.take(response);
    return response;
  };
  const { login } = target.ready;
  if (login) {
    const page = await get(login.path);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
    if (!csrf) throw new Error(`${target.ready.target}: no CSRF token on ${login.path}`);
    const signedIn = await fetch(new URL(login.path, target.base), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header(), 'content-type': FORM, accept: 'text/html' },
      body: new URLSearchParams({ _csrf: csrf, email: login.email, password: login.password }).toString(),
    });
    jar.take(signedIn);
    if (signedIn.status !== 303) throw new Error(`${target.ready.target}: sign-in answered ${signedIn.status}`);
  }
  // The first authorization goes through the interaction (no page: the browser is signed in).
  let response = await get(target.authorizationPath + authorizationQuery(target));
  for (let hops = 0; hops < 6 && response.headers.get('location') && !response.headers.get('location')!.startsWith(target.ready.web.redirectUri); hops += 1) {
    await response.arrayBuffer();
    response = await get(new URL(response.headers.get('location')!, target.base).pathname + new URL(response.headers.get('location')!, target.base).search);
  }
  const location = response.headers.get('location') ?? '';
  if (!location.startsWith(target.ready.web.redirectUri) || !new URL(location).searchParams.get('code')) throw new Error(`${target.ready.target}: the first authorization did not end with a code (status ${response.status})`);
  // From now on one request: check it.
  const again = await get(target.authorizationPath + authorizationQuery(target));
  const code = again.status === 303 ? new URL(again.headers.get('location') ?? 'x:/').searchParams.get('code') : null;
  if (!code) throw new Error(`${target.ready.target}: a signed-in authorization did not answer with a code at once (status ${again.status})`);
  const tokens = await post(target, target.tokenPath, codeBody(target, code), basic(target.ready.web.clientId, target.ready.web.secret));
  if (tokens.status !== 200 || typeof tokens.json.id_token !== 'string') throw new Error(`${target.ready.target}: the code did not redeem (${tokens.status})`);
  return jar.header();
}

// ---- load ---------------------------------------------------------------------------------------

interface Prepared {
  target: Target;
  /** An opaque access token to introspect (renewed before each introspection phase). */
  opaqueToken: string;
  browsers: string[];
}

async function issueOpaqueToken(target: Target): Promise<string> {
  const machine = basic(target.ready.machine.clientId, target.ready.machine.secret);
  const opaque = await post(target, target.tokenPath, clientCredentialsBody(target, target.ready.opaqueResource), machine);
  const token = String(opaque.json.access_token);
  if (opaque.status !== 200 || token.split('.').length === 3) throw new Error(`${target.ready.target}: no opaque access token (${opaque.status})`);
  return token;
}

async function prepare(target: Target): Promise<Prepared> {
  const machine = basic(target.ready.machine.clientId, target.ready.machine.secret);
  const jwt = await post(target, target.tokenPath, clientCredentialsBody(target, target.ready.jwtResource), machine);
  if (jwt.status !== 200 || String(jwt.json.access_token).split('.').length !== 3) throw new Error(`${target.ready.target}: no JWT access token (${jwt.status} ${JSON.stringify(jwt.json)})`);
  const opaqueToken = await issueOpaqueToken(target);
  const introspected = await post(target, target.introspectionPath, new URLSearchParams({ token: opaqueToken }).toString(), machine);
  if (introspected.json.active !== true) throw new Error(`${target.ready.target}: introspection does not find the opaque token active`);
  const browsers = settings.scenarios.includes('code') ? await Promise.all(Array.from({ length: settings.connections }, () => signedInBrowser(target))) : [];
  return { target, opaqueToken, browsers };
}

interface Counters {
  ok: number;
  bad: number;
  /** The first wrong answer, to say what went wrong. */
  firstBad: string | null;
}

function header(headers: Record<string, string | string[]>, name: string): string | undefined {
  const found = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
  return typeof found?.[1] === 'string' ? found[1] : undefined;
}

function requestsFor(prepared: Prepared, scenario: Scenario, counters: Counters): Request[] {
  const { target } = prepared;
  const machine = basic(target.ready.machine.clientId, target.ready.machine.secret);
  const count = (ok: boolean, status: number, body: string) => {
    if (ok) counters.ok += 1;
    else {
      counters.bad += 1;
      counters.firstBad ??= `${status} ${body.slice(0, 200)}`;
    }
  };
  switch (scenario) {
    case 'cc-jwt':
    case 'cc-opaque': {
      const body = clientCredentialsBody(target, scenario === 'cc-jwt' ? target.ready.jwtResource : target.ready.opaqueResource);
      return [{ method: 'POST', path: target.tokenPath, headers: { authorization: machine, 'content-type': FORM }, body, onResponse: (status, text) => count(status === 200, status, text) }];
    }
    case 'introspect': {
      const body = new URLSearchParams({ token: prepared.opaqueToken }).toString();
      return [{ method: 'POST', path: target.introspectionPath, headers: { authorization: machine, 'content-type': FORM }, body, onResponse: (status, text) => count(status === 200 && text.includes('"active":true'), status, text) }];
    }
    case 'code': {
      let next = 0;
      const web = basic(target.ready.web.clientId, target.ready.web.secret);
      const authPath = target.authorizationPath + authorizationQuery(target);
      return [
        {
          method: 'GET',
          setupRequest: (request, context) => {
            context.cookie ??= prepared.browsers[next++ % prepared.browsers.length];
            return { ...request, path: authPath, headers: { cookie: String(context.cookie) } };
          },
          onResponse: (status, text, context, headers) => {
            const location = header(headers, 'location');
            context.code = status === 303 && location ? new URL(location, target.base).searchParams.get('code') : null;
            if (!context.code) count(false, status, `${location ?? ''} ${text}`);
          },
        },
        {
          method: 'POST',
          setupRequest: (request, context) => ({ ...request, path: target.tokenPath, headers: { authorization: web, 'content-type': FORM }, body: codeBody(target, String(context.code ?? 'none')) }),
          onResponse: (status, text) => count(status === 200, status, text),
        },
      ];
    }
  }
}

interface Measured {
  perSecond: number;
  /** Server-process CPU time per successful operation (µs); null when /proc is not there. */
  cpuMicros: number | null;
  bad: number;
}

async function run(prepared: Prepared, scenario: Scenario, seconds: number): Promise<Measured> {
  if (scenario === 'introspect') prepared.opaqueToken = await issueOpaqueToken(prepared.target); // a fresh one: the bare provider's memory store is an LRU
  const counters: Counters = { ok: 0, bad: 0, firstBad: null };
  const cpuBefore = processCpuMs(prepared.target.ready.pid);
  const result = await autocannon({ url: prepared.target.base, connections: settings.connections, duration: seconds, requests: requestsFor(prepared, scenario, counters) });
  const cpuAfter = processCpuMs(prepared.target.ready.pid);
  if (counters.firstBad) log(`    ${prepared.target.ready.target} ${scenario}: first wrong answer: ${counters.firstBad}`);
  const cpuMicros = cpuBefore !== null && cpuAfter !== null && counters.ok > 0 ? ((cpuAfter - cpuBefore) * 1000) / counters.ok : null;
  return { perSecond: counters.ok / (result.duration ?? seconds), cpuMicros, bad: counters.bad + (result.errors ?? 0) + (result.timeouts ?? 0) };
}

// ---- main ----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  log(`bench:oidc on ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`);
  log(`settings: ${JSON.stringify({ ...settings, databaseUrl: settings.databaseUrl ? '(set)' : null, redisUrl: settings.redisUrl ? '(set)' : null })}`);
  const targets = await Promise.all([startTarget('./oidc-bare-server.ts'), startTarget('./oidc-server.ts')]);
  try {
    const [bare, frontdoor] = await Promise.all(targets.map(prepare));
    log(`frontdoor on ${frontdoor!.target.ready.engine}; bare oidc-provider on its in-memory adapter`);
    const results = new Map<string, number[]>();
    const cpu = new Map<string, number[]>();
    const bad = new Map<string, number>();
    for (const scenario of settings.scenarios) {
      for (let round = 1; round <= settings.rounds; round += 1) {
        for (const prepared of [bare!, frontdoor!]) {
          const key = `${scenario}/${prepared.target.ready.target}`;
          if (settings.warmupSeconds > 0) await run(prepared, scenario, settings.warmupSeconds);
          const { perSecond, cpuMicros, bad: failures } = await run(prepared, scenario, settings.durationSeconds);
          results.set(key, [...(results.get(key) ?? []), perSecond]);
          if (cpuMicros !== null) cpu.set(key, [...(cpu.get(key) ?? []), cpuMicros]);
          bad.set(key, (bad.get(key) ?? 0) + failures);
          const cpuText = cpuMicros === null ? '' : `  ${cpuMicros.toFixed(0).padStart(5)} µs CPU/op`;
          log(`  ${scenario.padEnd(10)} round ${round} ${prepared.target.ready.target.padEnd(9)} ${perSecond.toFixed(0).padStart(6)}/s${cpuText}${failures ? `  (${failures} wrong answers or errors)` : ''}`);
        }
      }
    }
    const rows = settings.scenarios.map((scenario) => {
      const bareRate = median(results.get(`${scenario}/bare`)!);
      const ours = median(results.get(`${scenario}/frontdoor`)!);
      const bareCpu = cpu.has(`${scenario}/bare`) ? median(cpu.get(`${scenario}/bare`)!) : null;
      const ourCpu = cpu.has(`${scenario}/frontdoor`) ? median(cpu.get(`${scenario}/frontdoor`)!) : null;
      // Ratios are taken round by round (a bare round and the Frontdoor round right after it) and
      // then their median: this VM's speed drifts between rounds by more than the difference
      // measured, and a pair taken seconds apart shares the drift.
      const paired = (ourValues: number[] | undefined, bareValues: number[] | undefined, ratioOf: (ours: number, bare: number) => number) =>
        ourValues && bareValues && ourValues.length === bareValues.length ? ourValues.map((value, i) => ratioOf(value, bareValues[i]!)) : null;
      const wallRatios = paired(results.get(`${scenario}/frontdoor`), results.get(`${scenario}/bare`), (o, b) => o / b)!;
      const coreRatios = paired(cpu.get(`${scenario}/frontdoor`), cpu.get(`${scenario}/bare`), (o, b) => b / o);
      return {
        scenario,
        bare: Math.round(bareRate),
        frontdoor: Math.round(ours),
        ratio: Number(median(wallRatios).toFixed(3)),
        bareCpuMicros: bareCpu === null ? null : Math.round(bareCpu),
        frontdoorCpuMicros: ourCpu === null ? null : Math.round(ourCpu),
        // Operations per second on one core, from CPU per operation: steadier than wall-clock rates on a shared machine.
        perCoreRatio: coreRatios ? Number(median(coreRatios).toFixed(3)) : null,
        perCoreRatioRange: coreRatios ? [Number(Math.min(...coreRatios).toFixed(3)), Number(Math.max(...coreRatios).toFixed(3))] : null,
        wrong: (bad.get(`${scenario}/frontdoor`) ?? 0) + (bad.get(`${scenario}/bare`) ?? 0),
      };
    });
    const pct = (value: number | null) => (value === null ? '   –' : `${(value * 100).toFixed(0).padStart(4)} %`);
    const lines = [
      '',
      `medians of ${settings.rounds} × ${settings.durationSeconds} s, ${settings.connections} connections; CPU = server process time per successful operation; ratios are medians of round-by-round ratios`,
      'scenario     bare/s  frontdoor/s  ratio    bare CPU  frontdoor CPU  per-core ratio (range)',
    ];
    for (const row of rows) {
      const cpuCell = (value: number | null) => (value === null ? '–' : `${value} µs`);
      lines.push(
        `${row.scenario.padEnd(10)} ${String(row.bare).padStart(8)} ${String(row.frontdoor).padStart(12)}  ${pct(row.ratio)} ${cpuCell(row.bareCpuMicros).padStart(10)} ${cpuCell(row.frontdoorCpuMicros).padStart(14)}  ${pct(row.perCoreRatio)}${row.perCoreRatioRange ? ` (${row.perCoreRatioRange.map((r) => `${(r * 100).toFixed(0)}`).join('–')} %)` : ''}${row.wrong ? `   ${row.wrong} wrong answers/errors` : ''}`,
      );
    }
    const jwt = rows.find((row) => row.scenario === 'cc-jwt');
    if (jwt) {
      const judged = jwt.perCoreRatio ?? jwt.ratio;
      lines.push('', `goal: client_credentials with JWT access tokens ≥ ${GOAL * 100} % of the bare provider's rate per core: ${judged >= GOAL ? 'met' : 'not met'} (${(judged * 100).toFixed(0)} %; wall-clock ratio ${(jwt.ratio * 100).toFixed(0)} %)`);
    }
    process.stdout.write(`${lines.join('\n')}\n${JSON.stringify({ engine: frontdoor!.target.ready.engine, settings: { ...settings, databaseUrl: undefined, redisUrl: undefined }, rows })}\n`);
  } finally {
    await Promise.all(targets.map((target) => target.stop()));
  }
}

await main();
