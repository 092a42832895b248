// Mail is composed and written to the outbox table inside the request, never sent inline, so a
// request for a known address takes as long as one for an unknown address. The dispatcher sends it.
import type { Clock, Mailer, MailRequest, Store } from '../../core/ports.ts';
import { newId } from '../../core/secrets.ts';

export type MailComposer = (request: MailRequest) => { subject: string; text: string; html: string };

export function createOutboxMailer(deps: { store: Store; clock: Clock; compose: MailComposer; onQueued?: () => void }): Mailer {
  return {
    async queue(request) {
      const mail = deps.compose(request);
      await deps.store.mailOutbox.enqueue({
        id: newId('mail'),
        tenantId: request.tenant.id,
        to: request.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        createdAt: deps.clock.now(),
        sentAt: null,
        attempts: 0,
        lastError: null,
      });
      deps.onQueued?.();
    },
  };
}
