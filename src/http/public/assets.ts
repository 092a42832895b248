// Static assets of the hosted pages, read once at start and served with an ETag.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../app.ts';

/** The browser build of @simplewebauthn/browser (a UMD file defining window.SimpleWebAuthnBrowser). */
function webauthnBrowserBundle(): URL {
  const entry = createRequire(import.meta.url).resolve('@simplewebauthn/browser');
  return pathToFileURL(join(dirname(entry), '..', 'dist', 'bundle', 'index.umd.min.js'));
}

/** A file of altcha-lib's browser build (its ES modules import each other by relative path). */
function altchaFile(path: string): URL {
  // require() resolves the CommonJS build (dist/cjs/v2); the browser needs the ES modules beside it.
  const entry = createRequire(import.meta.url).resolve('altcha-lib');
  return pathToFileURL(join(dirname(entry), '..', '..', 'esm', 'v2', path));
}

const SCRIPT = 'text/javascript; charset=utf-8';
const ASSETS: Record<string, { file: URL; type: string }> = {
  'frontdoor.css': { file: new URL('../../pages/assets/frontdoor.css', import.meta.url), type: 'text/css; charset=utf-8' },
  'passkeys.js': { file: new URL('../../pages/assets/passkeys.js', import.meta.url), type: SCRIPT },
  'webauthn.js': { file: webauthnBrowserBundle(), type: SCRIPT },
  'bot-challenge.js': { file: new URL('../../pages/assets/bot-challenge.js', import.meta.url), type: SCRIPT },
  'altcha/pow.js': { file: altchaFile('pow.js'), type: SCRIPT },
  'altcha/helpers.js': { file: altchaFile('helpers.js'), type: SCRIPT },
  'altcha/types.js': { file: altchaFile('types.js'), type: SCRIPT },
  'altcha/algorithms/web/pbkdf2.js': { file: altchaFile('algorithms/web/pbkdf2.js'), type: SCRIPT },
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
