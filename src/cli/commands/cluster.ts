// frontdoor cluster: N nodes on loopback behind our balancer, on one PostgreSQL and one Redis.
import { ClusterConfigError, startCluster } from '../../cluster/supervisor.ts';
import { integerOption, optionalString, UsageError, type Command } from '../support.ts';

export const cluster: Command = {
  name: 'cluster',
  summary: 'Start N nodes on this machine behind a load balancer (PostgreSQL + Redis)',
  help: `Usage: frontdoor cluster [--nodes N] [--port P] [--host H]

Starts N identical Frontdoor nodes as child processes (node i on port P+i, loopback only) and a
round-robin load balancer on P that sends requests only to nodes whose /readyz answers. All nodes
share DATABASE_URL (PostgreSQL; the database is created when missing) and REDIS_URL. A node that
exits is started again. The layout (pids, ports) is written to FRONTDOOR_DATA_DIR/cluster.json.
SIGTERM/SIGINT stop the balancer, then drain and stop every node.

  npm run cluster      3 nodes on postgres://postgres@127.0.0.1:5432/frontdoor_cluster and
                       redis://127.0.0.1:6379 unless DATABASE_URL / REDIS_URL say otherwise

Options:
  --nodes N     how many nodes (default 3, at most 32)
  --port P      the balancer's port (default PORT or 3000)
  --host H      the balancer's address (default HOST or 127.0.0.1)
  -h, --help    show this help`,
  options: { nodes: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } },
  async run(args) {
    const nodes = integerOption(args, 'nodes', 3, 1, 32);
    const port = integerOption(args, 'port', Number(process.env.PORT ?? 3000), 1, 65_000);
    const host = optionalString(args, 'host') ?? process.env.HOST ?? '127.0.0.1';
    let running;
    try {
      running = await startCluster({ nodes, port, host, env: process.env, log: (line) => process.stdout.write(`${line}\n`) });
    } catch (error) {
      if (error instanceof ClusterConfigError) throw new UsageError(error.message);
      throw error;
    }
    await new Promise<void>((resolve) => {
      const stop = () => void running.stop().then(resolve);
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });
  },
};
