// Development mailbox at /dev/mailbox: the outgoing mail queue, newest first, with clickable links.
// Mail text is escaped; only http(s) URLs become links, and their href is escaped too.

import type { OutboxMail } from '../../core/ports.ts';
import { html } from '../html.ts';
import type { SafeHtml } from '../html.ts';
import { formatDateTime, t } from '../i18n/index.ts';
import { renderDocument } from '../layout.ts';
import type { PageContext } from '../layout.ts';

export type MailboxMail = Pick<OutboxMail, 'id' | 'to' | 'subject' | 'text' | 'createdAt' | 'sentAt'>;

export interface MailboxText {
  id: string;
  to: string;
  text: string;
  createdAt: number;
}

export interface MailboxPageModel {
  mails: MailboxMail[];
  /** Text messages of the development SMS outbox. */
  texts?: MailboxText[];
}

const URL_IN_TEXT = /https?:\/\/[^\s<>"'`]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?)\]}]+$/;

/** The text, escaped, with each http(s) URL wrapped in a link. */
export function linkify(text: string): SafeHtml {
  const parts: SafeHtml[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_IN_TEXT)) {
    const url = match[0].replace(TRAILING_PUNCTUATION, '');
    if (url.length <= 'https://'.length) continue;
    const start = match.index;
    parts.push(html`${text.slice(last, start)}<a href="${url}">${url}</a>`);
    last = start + url.length;
  }
  parts.push(html`${text.slice(last)}`);
  return html`${parts}`;
}

function renderMail(ctx: PageContext, mail: MailboxMail, index: number): SafeHtml {
  const status =
    mail.sentAt === null
      ? t(ctx.locale, 'mailbox.pending')
      : t(ctx.locale, 'mailbox.sent', { time: formatDateTime(ctx.locale, mail.sentAt) });
  return html`<article class="fd-mail" aria-labelledby="mail-${index}-subject">
<h2 class="fd-mail__subject" id="mail-${index}-subject">${mail.subject}</h2>
<dl class="fd-meta">
<div><dt>${t(ctx.locale, 'mailbox.to')}</dt><dd>${mail.to}</dd></div>
<div><dt>${t(ctx.locale, 'mailbox.queued')}</dt><dd>${formatDateTime(ctx.locale, mail.createdAt)}</dd></div>
<div><dt>${t(ctx.locale, 'mailbox.status')}</dt><dd>${status}</dd></div>
</dl>
<pre class="fd-mail__text">${linkify(mail.text)}</pre>
</article>`;
}

export function renderMailboxPage(ctx: PageContext, model: MailboxPageModel): string {
  const mails = [...model.mails].sort((a, b) => b.createdAt - a.createdAt);
  const body = html`<h1>${t(ctx.locale, 'mailbox.title')}</h1>
<div class="fd-banner" role="note"><p>${t(ctx.locale, 'mailbox.banner')}</p></div>
${model.texts?.length
  ? html`<section class="fd-section" aria-labelledby="texts-title"><h2 id="texts-title">${t(ctx.locale, 'sms.mailbox_heading')}</h2>
${model.texts.map(
  (sms, index) => html`<article class="fd-mail" aria-labelledby="sms-${index}-to">
<dl class="fd-meta"><div><dt>${t(ctx.locale, 'mailbox.to')}</dt><dd id="sms-${index}-to">${sms.to}</dd></div><div><dt>${t(ctx.locale, 'mailbox.queued')}</dt><dd>${formatDateTime(ctx.locale, sms.createdAt)}</dd></div></dl>
<pre class="fd-mail__text">${sms.text}</pre>
</article>`,
)}
</section>`
  : null}
${mails.length > 0 ? mails.map((mail, index) => renderMail(ctx, mail, index)) : html`<p>${t(ctx.locale, 'mailbox.empty')}</p>`}`;
  return renderDocument(ctx, { title: t(ctx.locale, 'mailbox.title'), body, wide: true });
}
