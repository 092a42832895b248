// Development: text messages are kept in the database and shown at /dev/mailbox instead of sent.
import { newId } from '../../core/secrets.ts';
import type { Clock, SmsSender, Store } from '../../core/ports.ts';

export function createOutboxSmsSender(deps: { store: Store; clock: Clock }): SmsSender {
  return {
    async send(message) {
      await deps.store.smsOutbox.add({ id: newId('sms'), tenantId: message.tenantId, to: message.to, text: message.text, createdAt: deps.clock.now() });
    },
  };
}
