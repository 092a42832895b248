// Delivers queued mail over SMTP with nodemailer. Without SMTP_URL nothing is sent and the outbox
// is the development mailbox (/dev/mailbox).
import nodemailer from 'nodemailer';
import type { Store } from '../../core/ports.ts';
import type { Clock } from '../../core/ports.ts';

export interface MailDispatcher {
  /** Sends what is queued now (coalesces concurrent kicks). */
  kick(): void;
  /** Resolves when the current delivery round, if any, has finished. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export function createSmtpDispatcher(deps: {
  store: Store;
  clock: Clock;
  smtpUrl: string;
  from: string;
  pollIntervalMs?: number;
  onError?: (error: unknown) => void;
}): MailDispatcher {
  const transport = nodemailer.createTransport(deps.smtpUrl);
  let running: Promise<void> | null = null;
  let again = false;
  let closed = false;

  async function deliverAll(): Promise<void> {
    do {
      again = false;
      const batch = await deps.store.mailOutbox.listUnsent(50);
      for (const mail of batch) {
        if (closed) return;
        try {
          await transport.sendMail({ from: deps.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
          await deps.store.mailOutbox.markSent(mail.id, deps.clock.now());
        } catch (error) {
          await deps.store.mailOutbox.markFailed(mail.id, error instanceof Error ? error.message : String(error));
          deps.onError?.(error);
        }
      }
    } while (again && !closed);
  }

  function kick() {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = deliverAll()
      .catch((error: unknown) => deps.onError?.(error))
      .finally(() => {
        running = null;
      });
  }

  const timer = setInterval(kick, deps.pollIntervalMs ?? 5_000);
  timer.unref();

  return {
    kick: () => setImmediate(kick),
    async idle() {
      while (running) await running;
    },
    async close() {
      clearInterval(timer);
      while (running) await running;
      closed = true;
      transport.close();
    },
  };
}
