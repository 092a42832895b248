// Steps shared by the self-service tests, done the way a browser does them.
import { expect } from 'vitest';
import { FormClient, linkIn } from '../../support/client.ts';
import type { TestServer } from '../../support/server.ts';

export const PASSWORD = 'Tulip-Harbor-Quietly-917';
export const OTHER_PASSWORD = 'Granite-Meadow-Lantern-204';

let counter = 0;
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}.${process.pid}.${counter}@example.com`;
}

/** Registers as a person would: the form, sent once more when the answer asks for the bot challenge (the page's script solves it). */
export async function register(client: FormClient, tenant: string, email: string, password: string) {
  await client.get(`/t/${tenant}/register`);
  const response = await client.post(`/t/${tenant}/register`, { email, password });
  if (response.status === 403 && client.lastBotChallenge && client.solvesBotChallenges) return client.post(`/t/${tenant}/register`, { email, password });
  return response;
}

/** Registers, follows the newest verification link, types the password: ends signed in. */
export async function registerAndVerify(server: TestServer, tenant: string, email: string, password = PASSWORD): Promise<FormClient> {
  const client = new FormClient(server.baseUrl);
  const registered = await register(client, tenant, email, password);
  expect(registered.status).toBe(303);
  const [mail] = await server.mailTo(email.toLowerCase());
  expect(mail, 'verification mail').toBeDefined();
  const link = new URL(linkIn(mail!.text, `/t/${tenant}/verify`));
  await client.get(link.pathname + link.search);
  const verified = await client.post(`/t/${tenant}/verify`, { token: link.searchParams.get('token')!, password });
  expect(verified.status).toBe(303);
  expect(verified.location).toBe(`/t/${tenant}/account?notice=verified`);
  return client;
}

/**
 * Signs in as a person would: the form, and — when the answer asks for a bot challenge (the page's
 * script solves it) — the form sent once more.
 */
export async function signIn(server: TestServer, tenant: string, email: string, password: string, client = new FormClient(server.baseUrl)) {
  await client.get(`/t/${tenant}/login`);
  let response = await client.post(`/t/${tenant}/login`, { email, password });
  if (response.status === 403 && client.lastBotChallenge && client.solvesBotChallenges) response = await client.post(`/t/${tenant}/login`, { email, password });
  return { client, response };
}
