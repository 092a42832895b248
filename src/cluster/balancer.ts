// The load balancer of `frontdoor cluster`: round robin over the nodes that answer their readiness
// check, for trying a cluster on one machine (production puts its own balancer in front; see
// docs/deploy.md). A node is taken out when a connection to it fails and put back when /readyz
// answers 200 again (checked every `healthIntervalMs`). A request is sent again to another node
// only when that cannot do anything twice: the connection was refused (the request never
// arrived), or the method is safe (GET, HEAD, OPTIONS). Anything else in flight on a node that
// dies is answered 502 — those are the only requests a client sees fail. With no node ready, the
// nodes are tried anyway before answering 503: a readiness check can be slow on a busy machine.
import { createServer, request as httpRequest, Agent, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BalancerNode {
  id: string;
  /** http://host:port */
  url: string;
}

export interface BalancerOptions {
  host: string;
  port: number;
  nodes: BalancerNode[];
  healthPath?: string;
  healthIntervalMs?: number;
  /** How long a node may take to answer one request. */
  upstreamTimeoutMs?: number;
  /** Request bodies are held (to send again after a refused connection) up to this size. */
  maxBodyBytes?: number;
}

export interface Balancer {
  url: string;
  /** Which nodes take requests now. */
  status(): { id: string; url: string; up: boolean }[];
  close(): Promise<void>;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-authorization', 'proxy-authenticate']);

/** A node is out after this many failed readiness checks in a row (one slow answer on a busy machine is not enough), or at once when a connection to it fails. */
const FAILED_CHECKS_OUT = 2;

interface NodeState extends BalancerNode {
  /** Failed readiness checks in a row; unknown counts as out. */
  failures: number;
  checking: boolean;
}

const isUp = (node: NodeState) => node.failures < FAILED_CHECKS_OUT;

function forwardedHeaders(incoming: IncomingHttpHeaders, clientAddress: string, host: string | undefined, bodyLength: number): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  }
  const prior = incoming['x-forwarded-for'];
  headers['x-forwarded-for'] = prior ? `${Array.isArray(prior) ? prior.join(', ') : prior}, ${clientAddress}` : clientAddress;
  headers['x-forwarded-proto'] = 'http';
  if (host) headers['x-forwarded-host'] = host;
  headers['content-length'] = String(bodyLength);
  return headers;
}

export async function startBalancer(options: BalancerOptions): Promise<Balancer> {
  const healthPath = options.healthPath ?? '/readyz';
  const upstreamTimeoutMs = options.upstreamTimeoutMs ?? 30_000;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const nodes: NodeState[] = options.nodes.map((n) => ({ ...n, failures: FAILED_CHECKS_OUT, checking: false }));
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  // Unsafe methods go over a new connection each: on a kept-alive one, a node that just died shows
  // as a reset after the request was written, which cannot be told from a node that took it and
  // then died, so it could not be sent again. A new connection to a dead node is refused: resent.
  const freshConnections = new Agent({ keepAlive: false, maxSockets: 256 });
  let next = 0;

  /** The next ready node not tried yet; when none is ready, any not tried (a refusal costs little). */
  function pick(exclude: Set<NodeState>): NodeState | null {
    for (const wanted of [isUp, () => true]) {
      for (let i = 0; i < nodes.length; i += 1) {
        const node = nodes[(next + i) % nodes.length]!;
        if (wanted(node) && !exclude.has(node)) {
          next = (next + i + 1) % nodes.length;
          return node;
        }
      }
    }
    return null;
  }

  async function check(node: NodeState): Promise<void> {
    if (node.checking) return;
    node.checking = true;
    try {
      const response = await fetch(new URL(healthPath, node.url), { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      node.failures = response.status === 200 ? 0 : node.failures + 1;
    } catch {
      node.failures += 1;
    } finally {
      node.checking = false;
    }
  }
  const checkAll = () => Promise.all(nodes.map(check));
  await checkAll();
  const timer = setInterval(() => void checkAll(), options.healthIntervalMs ?? 500);
  timer.unref();

  function send(node: NodeState, req: IncomingMessage, body: Buffer): Promise<{ upstream: IncomingMessage } | { error: NodeJS.ErrnoException; reached: boolean }> {
    return new Promise((resolve) => {
      const target = new URL(req.url ?? '/', node.url);
      const outgoing = httpRequest(
        { agent: SAFE_METHODS.has(req.method ?? 'GET') ? agent : freshConnections, host: target.hostname, port: target.port, method: req.method, path: target.pathname + target.search, headers: forwardedHeaders(req.headers, req.socket.remoteAddress ?? '', req.headers.host, body.length), timeout: upstreamTimeoutMs },
        (upstream) => resolve({ upstream }),
      );
      let reached = false;
      outgoing.on('socket', (socket) => {
        if (!socket.connecting) reached = true;
        else socket.once('connect', () => (reached = true));
      });
      outgoing.on('timeout', () => outgoing.destroy(Object.assign(new Error('upstream timeout'), { code: 'ETIMEDOUT' })));
      outgoing.on('error', (error: NodeJS.ErrnoException) => resolve({ error, reached: reached && error.code !== 'ECONNREFUSED' }));
      outgoing.end(body);
    });
  }

  function refuse(res: ServerResponse, status: number, message: string) {
    if (res.headersSent) return res.destroy();
    res.writeHead(status, { 'content-type': 'application/json', 'retry-after': '1', 'cache-control': 'no-store' });
    res.end(JSON.stringify({ error: 'server.busy', message }));
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBodyBytes) return refuse(res, 413, 'The request body is too large.');
      chunks.push(chunk);
    }
    const body = Buffer.concat(chunks);
    const tried = new Set<NodeState>();
    for (;;) {
      const node = pick(tried);
      if (!node) return refuse(res, 503, 'No node is available; try again in a moment.');
      tried.add(node);
      const result = await send(node, req, body);
      if ('upstream' in result) {
        const { upstream } = result;
        const headers: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(upstream.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
        res.writeHead(upstream.statusCode ?? 502, headers);
        upstream.pipe(res);
        upstream.on('error', () => res.destroy());
        return;
      }
      // The node is gone (or hung): out until its readiness check passes again.
      if (result.error.code !== 'ETIMEDOUT') node.failures = FAILED_CHECKS_OUT;
      if (result.reached && !SAFE_METHODS.has(req.method ?? 'GET')) return refuse(res, result.error.code === 'ETIMEDOUT' ? 504 : 502, 'The node handling this request stopped; it may or may not have been done.');
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => refuse(res, 502, 'The request could not be forwarded.'));
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;

  return {
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${address.port}`,
    status: () => nodes.map((n) => ({ id: n.id, url: n.url, up: isUp(n) })),
    async close() {
      clearInterval(timer);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      agent.destroy();
      freshConnections.destroy();
    },
  };
}
