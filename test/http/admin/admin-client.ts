// A tiny JSON client for the admin API over real HTTP, for the tests in this folder.
import type { TestServer } from '../../support/server.ts';

export interface ApiResponse {
  status: number;
  // Tests read whatever the server sent; the shape is what they assert.
  body: any;
  text: string;
  headers: Headers;
}

export type Api = (method: string, path: string, body?: unknown) => Promise<ApiResponse>;

/** Calls `/admin/api/v1{path}` with the given bearer token (default: the first-start admin token). */
export function adminApi(server: TestServer, token: string | null = server.adminToken): Api {
  return async (method, path, body) => {
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${server.baseUrl}/admin/api/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = null;
    if (text && (response.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
    return { status: response.status, body: parsed, text, headers: response.headers };
  };
}
