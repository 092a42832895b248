// The development mailbox: every mail in the outbox and every text message, newest first. Never registered in production.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../app.ts';
import { renderMailboxPage } from '../../pages/views/mailbox.ts';
import { pageContext, sendPage } from './page-support.ts';

export function registerDevMailbox(app: FastifyInstance, services: Services): void {
  app.get('/dev/mailbox', { config: { page: true } }, async (request, reply) => {
    const [mails, texts] = await Promise.all([services.store.mailOutbox.listRecent(100), services.store.smsOutbox.listRecent(50)]);
    return sendPage(reply, renderMailboxPage(pageContext(services, request, reply, null), { mails, texts }));
  });
}
