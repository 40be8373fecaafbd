// The HTML part of every email, made from its plain-text part so the two always say the same thing. Everything is
// escaped (names and account names come from users); only links to PUBLIC_URL become clickable, so a name such as
// "Visit https://evil.example" stays text; a 6-digit code is set large so it is easy to read and type.
import type { OutgoingMessage } from './senders/sender.ts';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** One paragraph of plain text as HTML: escaped, links to `publicUrl` clickable, the code set large. */
function paragraph(text: string, publicUrl: string, code: string | null): string {
  const origin = new URL(publicUrl).origin;
  const pieces = text.split(/(https?:\/\/[^\s<>"']+)/g);
  const html = pieces
    .map((piece, i) => {
      if (i % 2 === 1) {
        // A sentence may end right after a link: keep the full stop out of it.
        const [, url, tail] = /^(.*?)([.,;:)]*)$/.exec(piece)!;
        if (url === origin || url!.startsWith(`${origin}/`)) {
          return `<a href="${escapeHtml(url!)}" style="color:#3451d1;word-break:break-all">${escapeHtml(url!)}</a>${escapeHtml(tail!)}`;
        }
        return escapeHtml(piece);
      }
      let escaped = escapeHtml(piece);
      if (code && /^[0-9]{6}$/.test(code)) {
        escaped = escaped
          .split(code)
          .join(`<strong style="font-size:24px;letter-spacing:4px;font-family:Menlo,Consolas,monospace">${code}</strong>`);
      }
      return escaped;
    })
    .join('');
  return `<p style="margin:0 0 16px">${html.replace(/\n/g, '<br>')}</p>`;
}

export function renderEmailHtml(message: Pick<OutgoingMessage, 'subject' | 'body' | 'code'>, publicUrl: string): string {
  const paragraphs = message.body
    .split(/\n{2,}/)
    .map((p) => paragraph(p.trim(), publicUrl, message.code))
    .join('\n');
  const title = escapeHtml(message.subject ?? 'Twofold');
  return [
    '<!doctype html>',
    `<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title></head>`,
    '<body style="margin:0;padding:24px;background:#f6f7fb;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#1c2130;font-size:16px;line-height:1.5">',
    '<div style="max-width:560px;margin:0 auto;background:#ffffff;border:1px solid #dfe3ec;border-radius:12px;padding:28px">',
    '<p style="margin:0 0 20px;font-weight:700;font-size:18px">Twofold</p>',
    paragraphs,
    `<p style="margin:24px 0 0;color:#5d6579;font-size:13px">Sent by Twofold, ${escapeHtml(new URL(publicUrl).host)}</p>`,
    '</div></body></html>',
  ].join('\n');
}
