// The balancer of `frontdoor cluster` in front of two real HTTP servers on loopback: round robin,
// readiness, what it sends again after a node fails (a refused connection; a safe method) and
// what it must not (a post the node may have acted on), and the forwarded headers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startBalancer, type Balancer } from '../../src/cluster/balancer.ts';

interface Upstream {
  url: string;
  server: Server;
  seen: { method: string; path: string; body: string; forwardedFor: string | undefined; host: string | undefined }[];
  ready: boolean;
  /** Set: requests to this path are taken and then the connection is cut without an answer. */
  dropPath: string | null;
  close(): Promise<void>;
}

async function upstream(name: string): Promise<Upstream> {
  const state: Upstream = { url: '', server: null as unknown as Server, seen: [], ready: true, dropPath: null, close: async () => undefined };
  state.server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    if (req.url === '/readyz') {
      res.writeHead(state.ready ? 200 : 503).end();
      return;
    }
    let body = '';
    for await (const chunk of req) body += chunk;
    state.seen.push({ method: req.method!, path: req.url!, body, forwardedFor: req.headers['x-forwarded-for'] as string | undefined, host: req.headers['x-forwarded-host'] as string | undefined });
    if (state.dropPath === req.url) {
      req.socket.destroy();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain', 'x-node': name }).end(`${name}:${body}`);
  });
  await new Promise<void>((resolve) => state.server.listen(0, '127.0.0.1', () => resolve()));
  state.url = `http://127.0.0.1:${(state.server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      state.server.close(() => resolve());
      state.server.closeAllConnections();
    });
  return state;
}

describe('the cluster balancer', () => {
  const open: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
  });

  async function setUp(healthIntervalMs = 60_000): Promise<{ a: Upstream; b: Upstream; balancer: Balancer }> {
    const a = await upstream('a');
    const b = await upstream('b');
    const balancer = await startBalancer({ host: '127.0.0.1', port: 0, nodes: [{ id: 'a', url: a.url }, { id: 'b', url: b.url }], healthIntervalMs, maxBodyBytes: 1000 });
    open.push(a, b, balancer);
    return { a, b, balancer };
  }

  it('takes turns between ready nodes and says who the client is', async () => {
    const { a, b, balancer } = await setUp();
    const answers = await Promise.all([1, 2, 3, 4].map(() => fetch(`${balancer.url}/x`, { headers: { 'x-forwarded-for': '203.0.113.9' } }).then((r) => r.headers.get('x-node'))));
    expect(answers.sort()).toEqual(['a', 'a', 'b', 'b']);
    expect(a.seen[0]).toMatchObject({ forwardedFor: '203.0.113.9, 127.0.0.1', host: new URL(balancer.url).host });
    expect(b.seen).toHaveLength(2);
  });

  it('sends nothing to a node that is not ready, and takes it back when it is', async () => {
    const a = await upstream('a');
    const b = await upstream('b');
    b.ready = false;
    const balancer = await startBalancer({ host: '127.0.0.1', port: 0, nodes: [{ id: 'a', url: a.url }, { id: 'b', url: b.url }], healthIntervalMs: 50 });
    open.push(a, b, balancer);
    for (let i = 0; i < 4; i += 1) expect((await fetch(`${balancer.url}/x`)).headers.get('x-node')).toBe('a');
    b.ready = true;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(balancer.status().every((n) => n.up)).toBe(true);
    const answers = await Promise.all([1, 2].map(() => fetch(`${balancer.url}/x`).then((r) => r.headers.get('x-node'))));
    expect(answers.sort()).toEqual(['a', 'b']);
  });

  it('sends a post again when the connection was refused (it never arrived), and keeps that node out', async () => {
    const { a, b, balancer } = await setUp();
    await b.close(); // still believed up: the next health check is a minute away
    for (let i = 0; i < 4; i += 1) {
      const answer = await fetch(`${balancer.url}/register`, { method: 'POST', body: `n${i}` });
      expect(answer.status).toBe(200);
      expect(await answer.text()).toBe(`a:n${i}`);
    }
    expect(a.seen.map((s) => s.body)).toEqual(['n0', 'n1', 'n2', 'n3']);
    expect(balancer.status().find((n) => n.id === 'b')!.up).toBe(false);
  });

  it('answers 502 for a post cut off inside a node (it may have been done), but sends a get again', async () => {
    const { a, b, balancer } = await setUp();
    a.dropPath = '/cut';
    b.dropPath = null;
    // Round robin starts at a: the post dies there and is not repeated on b.
    const post = await fetch(`${balancer.url}/cut`, { method: 'POST', body: 'once' });
    expect(post.status).toBe(502);
    expect(post.headers.get('retry-after')).toBe('1');
    expect(b.seen.filter((s) => s.path === '/cut')).toHaveLength(0);
    // a is out now; bring it back and cut a get there instead: it is answered by b.
    const balancer2 = await startBalancer({ host: '127.0.0.1', port: 0, nodes: [{ id: 'a', url: a.url }, { id: 'b', url: b.url }], healthIntervalMs: 60_000 });
    open.push(balancer2);
    const get = await fetch(`${balancer2.url}/cut`);
    expect(get.status).toBe(200);
    expect(get.headers.get('x-node')).toBe('b');
    expect(a.seen.filter((s) => s.path === '/cut' && s.method === 'GET')).toHaveLength(1);
  });

  it('answers 503 with Retry-After when no node is ready, and 413 for a body it will not hold', async () => {
    const { a, b, balancer } = await setUp();
    expect((await fetch(`${balancer.url}/x`, { method: 'POST', body: 'x'.repeat(2000) })).status).toBe(413);
    await a.close();
    await b.close();
    const none = await fetch(`${balancer.url}/x`);
    expect(none.status).toBe(503);
    expect(none.headers.get('retry-after')).toBe('1');
    expect(await none.json()).toMatchObject({ error: 'server.busy' });
  });
});
