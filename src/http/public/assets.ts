// Static assets of the hosted pages, read once at start and served with an ETag.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../app.ts';

const ASSETS: Record<string, { file: URL; type: string }> = {
  'frontdoor.css': { file: new URL('../../pages/assets/frontdoor.css', import.meta.url), type: 'text/css; charset=utf-8' },
};

export function registerAssetRoutes(app: FastifyInstance, _services: Services): void {
  for (const [name, asset] of Object.entries(ASSETS)) {
    const body = readFileSync(asset.file);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    app.get(`/assets/${name}`, async (request, reply) => {
      reply.header('etag', etag).header('cache-control', 'public, max-age=3600');
      if (request.headers['if-none-match'] === etag) return reply.status(304).send();
      return reply.type(asset.type).send(body);
    });
  }
}
