/**
 * Lab: a password-reset email as a mail server receives it. Builds a real RFC 5322 / MIME message
 * (multipart/alternative, quoted-printable parts, RFC 2047 subject, hidden pre-header), escapes or rejects
 * hostile personalisation, sends it over SMTP to a tiny server on 127.0.0.1 (dot-stuffing included) and
 * parses what arrived back into its parts.
 */
import { createServer, connect } from 'node:net';
import { listenLocal } from '../src/labs/http-harness.js';
import { escapeHtml, findExecutable } from '../src/labs/lab-html-escape.js';
import type { LabContext, LabObservations } from '../src/labs/types.js';

const CRLF = '\r\n';
/** RFC 2045: an encoded line is at most 76 characters; a soft break is a trailing '='. */
const QP_LINE = 76;
/** Header lines are folded before this (RFC 5322 recommends 78). */
const HEADER_LINE = 76;

const hex2 = (b: number) => b.toString(16).toUpperCase().padStart(2, '0');

// ---------------------------------------------------------------------------------------------------------
// Encodings

/** Quoted-printable (RFC 2045 §6.7): text with \n line breaks → CRLF lines of at most 76 characters. */
export function qpEncode(text: string): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const bytes = [...Buffer.from(line, 'utf8')];
    let cur = '';
    bytes.forEach((b, i) => {
      // Printable ASCII except '=' stays; a space or tab stays unless it ends the line (it would be stripped).
      const literal = (b >= 33 && b <= 126 && b !== 61) || ((b === 32 || b === 9) && i < bytes.length - 1);
      const token = literal ? String.fromCharCode(b) : `=${hex2(b)}`;
      // Never split an =XX escape; leave room for the soft-break '='.
      if (cur.length + token.length > QP_LINE - 1) {
        out.push(`${cur}=`);
        cur = '';
      }
      cur += token;
    });
    out.push(cur);
  }
  return out.join(CRLF);
}

export function qpDecode(body: string): string {
  const joined = body.replace(/=\r\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const c = joined[i]!;
    if (c === '=' && /^[0-9A-F]{2}$/i.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(c.charCodeAt(0));
  }
  return Buffer.from(bytes).toString('utf8').replace(/\r\n/g, '\n');
}

/**
 * RFC 2047 "Q" encoded-words, folded so no line passes HEADER_LINE. A word never splits a character, so
 * each decodes on its own. `first` is the room left on the header's first line.
 */
function encodedWords(text: string, first: number): string[] {
  const open = '=?UTF-8?Q?';
  const close = '?=';
  const words: string[] = [];
  let cur = '';
  let room = Math.min(75, first);
  for (const ch of text) {
    const enc = [...Buffer.from(ch, 'utf8')].map((b) => (b === 32 ? '_' : b < 128 && /[A-Za-z0-9!*+\-/]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `=${hex2(b)}`)).join('');
    if (open.length + cur.length + enc.length + close.length > room) {
      words.push(open + cur + close);
      cur = '';
      room = Math.min(75, HEADER_LINE - 1);
    }
    cur += enc;
  }
  words.push(open + cur + close);
  return words;
}

export class HeaderInjection extends Error {}

/** One header line, safe: CR or LF in a value is refused, non-ASCII goes into encoded-words. */
export function header(name: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new HeaderInjection(`${name}: value contains CR/LF, refused (it would end the header and start a new one)`);
  if (/^[\x20-\x7e]*$/.test(value)) return `${name}: ${value}`;
  return `${name}: ${encodedWords(value, HEADER_LINE - name.length - 2).join(`${CRLF} `)}`;
}

function decodeEncodedWords(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2') // whitespace between two encoded-words is not part of the text
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_m, _charset: string, kind: string, text: string) =>
      kind.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
    );
}

// ---------------------------------------------------------------------------------------------------------
// The message

interface Recipient {
  readonly name: string;
  readonly email: string;
}

interface Content {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const FROM = 'Shop <no-reply@shop.example>';
const PREHEADER = 'This link works once, for the next 30 minutes.';

function content(user: Recipient, link: string, escape: boolean): Content {
  const e = escape ? escapeHtml : (s: string) => s;
  // Invisible filler after the pre-header keeps the visible body text out of the inbox preview.
  const filler = '&#847;&zwnj;&nbsp;'.repeat(16);
  return {
    // The subject is plain text, not HTML: escaping it would show "&lt;" in the inbox.
    subject: `${user.name}, reset your Shop password 🔑`,
    text: [
      `Hi ${user.name},`,
      '',
      'Someone asked to reset the password of your Shop account.',
      'Choose a new one here (the link works once, for 30 minutes):',
      link,
      '',
      '...or ignore this email and your password stays the same.',
      '',
      'Shop Ltd, 1 Example Street, London',
    ].join('\n'),
    html: [
      '<!doctype html>',
      '<html><body style="margin:0;font-family:Arial,sans-serif">',
      `<div style="display:none;max-height:0;overflow:hidden">${PREHEADER}${filler}</div>`,
      '<h1 style="font-size:20px">Shop</h1>',
      `<p>Hi ${e(user.name)},</p>`,
      '<p>Someone asked to reset the password of your Shop account.</p>',
      `<p><a href="${e(link)}" style="background:#0a6;color:#fff;padding:12px">Choose a new password</a></p>`,
      "<p>If it wasn't you, ignore this email.</p>",
      '<p style="color:#888">Shop Ltd, 1 Example Street, London</p>',
      '</body></html>',
    ].join('\n'),
  };
}

interface Envelope {
  readonly to: Recipient;
  readonly date: string;
  readonly messageId: string;
  readonly boundary: string;
}

function buildMessage(env: Envelope, c: Content): string {
  const part = (type: string, body: string) =>
    [`--${env.boundary}`, `Content-Type: ${type}; charset=UTF-8`, 'Content-Transfer-Encoding: quoted-printable', '', qpEncode(body)].join(CRLF);
  return [
    header('From', FROM),
    header('To', `<${env.to.email}>`),
    header('Subject', c.subject),
    header('Date', env.date),
    header('Message-ID', env.messageId),
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${env.boundary}"`,
    '',
    // Alternatives go from least to most preferred: plain text first, HTML last.
    part('text/plain', c.text),
    part('text/html', c.html),
    `--${env.boundary}--`,
    '',
  ].join(CRLF);
}

/** What string concatenation produces: the values pasted in as they are. */
function naiveHeaders(user: Recipient, subject: string): string {
  return [`From: ${FROM}`, `To: <${user.email}>`, `Subject: ${subject}`, 'MIME-Version: 1.0'].join(CRLF);
}

// ---------------------------------------------------------------------------------------------------------
// A small parser, to check what the server received

interface Part {
  readonly type: string;
  readonly encoding: string;
  readonly body: string;
}

interface Parsed {
  readonly headers: readonly (readonly [string, string])[];
  readonly subject: string;
  readonly parts: readonly Part[];
}

function parseHeaders(block: string): [string, string][] {
  return block
    .replace(/\r\n(?=[ \t])/g, '') // unfold
    .split(CRLF)
    .filter((l) => l !== '')
    .map((l) => {
      const i = l.indexOf(':');
      return [l.slice(0, i).trim(), l.slice(i + 1).trim()];
    });
}

function parseMessage(raw: string): Parsed {
  const end = raw.indexOf(CRLF + CRLF);
  const headers = parseHeaders(raw.slice(0, end));
  const get = (hs: readonly (readonly [string, string])[], n: string) => hs.find(([k]) => k.toLowerCase() === n)?.[1] ?? '';
  const boundary = /boundary="?([^";]+)"?/i.exec(get(headers, 'content-type'))?.[1] ?? '';
  const segments = (CRLF + raw.slice(end + 4)).split(`${CRLF}--${boundary}`);
  const parts = segments.slice(1, -1).map((seg): Part => {
    const s = seg.replace(/^\r\n/, '');
    const split = s.indexOf(CRLF + CRLF);
    const ph = parseHeaders(s.slice(0, split));
    const encoding = get(ph, 'content-transfer-encoding').toLowerCase();
    const data = s.slice(split + 4);
    return {
      type: get(ph, 'content-type').split(';')[0]!,
      encoding,
      body: encoding === 'quoted-printable' ? qpDecode(data) : encoding === 'base64' ? Buffer.from(data, 'base64').toString('utf8') : data,
    };
  });
  return { headers, subject: decodeEncodedWords(get(headers, 'subject')), parts };
}

/** Characters of body text an inbox list shows after the subject (clients show roughly 40 to 140). */
const PREVIEW_CHARS = 90;

/**
 * The inbox preview: the first PREVIEW_CHARS characters of the HTML body's text, hidden or not. Zero-width
 * and non-breaking filler characters count but show as nothing; `shown` is what the reader sees.
 */
function inboxPreview(html: string): { shown: string; greetingShown: boolean } {
  const text = html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#847;/g, '\u034f')
    .replace(/&zwnj;/g, '\u200c')
    .replace(/&nbsp;/g, '\u00a0')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t\n]+/g, ' ')
    .trim()
    .slice(0, PREVIEW_CHARS);
  const shown = text.replace(/[\u034f\u200c]/g, '').replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim();
  return { shown, greetingShown: shown.includes('Hi ') };
}

// ---------------------------------------------------------------------------------------------------------
// SMTP: a tiny server and a client, both on real sockets

interface Delivered {
  readonly from: string;
  readonly to: readonly string[];
  readonly data: string;
}

async function startSmtpServer(ctx: LabContext): Promise<{ port: number; delivered: Delivered[] }> {
  const delivered: Delivered[] = [];
  const server = createServer((sock) => {
    sock.on('error', () => undefined);
    sock.setEncoding('latin1');
    const reply = (line: string) => sock.write(line + CRLF);
    let buf = '';
    let inData = false;
    let from = '';
    let to: string[] = [];
    let lines: string[] = [];
    reply('220 mx.lab.test ESMTP ready');
    sock.on('data', (chunk: string) => {
      buf += chunk;
      for (let i = buf.indexOf(CRLF); i >= 0; i = buf.indexOf(CRLF)) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            delivered.push({ from, to, data: lines.map((l) => l + CRLF).join('') });
            reply(`250 2.0.0 OK queued as ${delivered.length}`);
          } else lines.push(line.startsWith('.') ? line.slice(1) : line); // undo dot-stuffing
          continue;
        }
        const mail = /^MAIL FROM:<([^>]*)>/i.exec(line);
        const rcpt = /^RCPT TO:<([^>]*)>/i.exec(line);
        if (/^EHLO /i.test(line)) {
          reply(`250-mx.lab.test greets ${line.slice(5)}`);
          reply('250-SIZE 1048576');
          reply('250 8BITMIME');
        } else if (mail) {
          [from, to, lines] = [mail[1]!, [], []];
          reply('250 2.1.0 Sender OK');
        } else if (rcpt) {
          if (!from) reply('503 5.5.1 MAIL first');
          else {
            to.push(rcpt[1]!);
            reply('250 2.1.5 Recipient OK');
          }
        } else if (/^DATA$/i.test(line)) {
          if (!to.length) reply('554 5.5.1 No valid recipients');
          else {
            inData = true;
            reply('354 End data with <CR><LF>.<CR><LF>');
          }
        } else if (/^QUIT$/i.test(line)) {
          reply('221 2.0.0 Bye');
          sock.end();
        } else reply('500 5.5.2 Command not recognized');
      }
    });
  });
  return { port: await listenLocal(ctx, server), delivered };
}

interface DialogueLine {
  readonly who: 'C' | 'S';
  readonly line: string;
  /** A line of the message itself (between DATA and the final dot). */
  readonly data?: boolean;
}

interface SendResult {
  readonly dialogue: readonly DialogueLine[];
  readonly replyCodes: readonly number[];
  /** Message lines that started with '.' and were sent with an extra dot. */
  readonly stuffed: number;
  readonly ms: number;
}

async function sendMail(ctx: LabContext, port: number, from: string, to: readonly string[], raw: string, dotStuff: boolean): Promise<SendResult> {
  if (ctx.signal.aborted) throw ctx.signal.reason;
  const start = performance.now();
  const sock = connect({ host: '127.0.0.1', port });
  ctx.defer(() => void sock.destroy());
  sock.setEncoding('latin1');
  const dialogue: DialogueLine[] = [];
  const codes: number[] = [];
  const pending: string[] = [];
  let buf = '';
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  sock.on('data', (chunk: string) => {
    buf += chunk;
    for (let i = buf.indexOf(CRLF); i >= 0; i = buf.indexOf(CRLF)) {
      pending.push(buf.slice(0, i));
      buf = buf.slice(i + 2);
    }
    wake?.();
  });
  const fail = (e: Error) => {
    failure ??= e;
    wake?.();
  };
  sock.on('error', fail);
  sock.on('close', () => fail(new Error('SMTP connection closed')));
  const onAbort = () => sock.destroy();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  /** One reply: lines "250-…" continue, "250 …" ends it. */
  const readReply = async (): Promise<number> => {
    for (;;) {
      const last = pending.findIndex((l) => /^\d{3}( |$)/.test(l));
      if (last >= 0) {
        const lines = pending.splice(0, last + 1);
        for (const line of lines) dialogue.push({ who: 'S', line });
        const code = Number(lines[last]!.slice(0, 3));
        codes.push(code);
        return code;
      }
      if (failure) throw failure;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  };
  const command = async (line: string, expect: number): Promise<void> => {
    dialogue.push({ who: 'C', line });
    sock.write(line + CRLF);
    const code = await readReply();
    if (code !== expect) throw new Error(`SMTP: expected ${expect} after "${line}", got ${code}`);
  };
  let stuffed = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    if ((await readReply()) !== 220) throw new Error('SMTP: no greeting');
    await command('EHLO client.lab.test', 250);
    await command(`MAIL FROM:<${from}>`, 250);
    for (const r of to) await command(`RCPT TO:<${r}>`, 250);
    await command('DATA', 354);
    const lines = raw.replace(/\r\n$/, '').split(CRLF);
    const wire = lines.map((l) => {
      // Dot-stuffing (RFC 5321 §4.5.2): a line starting with '.' gets one more, so it cannot end the data.
      if (dotStuff && l.startsWith('.')) {
        stuffed++;
        return `.${l}`;
      }
      return l;
    });
    for (const l of wire) dialogue.push({ who: 'C', line: l, data: true });
    sock.write(wire.map((l) => l + CRLF).join(''));
    await command('.', 250);
    await command('QUIT', 221);
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    sock.destroy();
  }
  return { dialogue, replyCodes: codes, stuffed, ms: performance.now() - start };
}

/** The dialogue as text, with the message body shortened to its interesting lines. */
function showDialogue(d: readonly DialogueLine[], keep: (line: string) => boolean): string {
  const out: string[] = [];
  let skipped = 0;
  const flush = () => {
    if (skipped) out.push(`C:   [... ${skipped} more line${skipped === 1 ? '' : 's'} of the message ...]`);
    skipped = 0;
  };
  let firstData = true;
  for (const l of d) {
    if (l.data && !firstData && !keep(l.line)) {
      skipped++;
      continue;
    }
    if (l.data) firstData = false;
    flush();
    out.push(`${l.who}: ${l.line}`);
  }
  flush();
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------------

export async function run(ctx: LabContext): Promise<LabObservations> {
  const { out } = ctx;
  const tokenBytes = Math.round(ctx.params.tokenBytes ?? 32);
  const rngBytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(ctx.rng() * 256)));
  // Seeded so the run is reproducible; a real reset token comes from crypto.randomBytes.
  const token = rngBytes(tokenBytes).toString('base64url');
  const link = `https://shop.example/reset?token=${token}`;
  const zoe: Recipient = { name: 'Zoë <script>alert(1)</script>', email: 'zoe@example.com' };
  const ada: Recipient = { name: 'Ada\r\nBcc: everyone@evil.example', email: 'ada@example.com' };
  const env: Envelope = {
    to: zoe,
    date: new Date().toUTCString().replace('GMT', '+0000'),
    messageId: `<${rngBytes(12).toString('hex')}@shop.example>`,
    boundary: `=_b1_${rngBytes(8).toString('hex')}`,
  };

  out.say(
    `A password-reset email for a user whose display name is ${JSON.stringify(zoe.name)}. The lab builds the raw message a mail server receives, byte for byte, sends it over SMTP to a server on 127.0.0.1 and parses what arrived.`,
  );

  // --- 1. The raw message ---------------------------------------------------------------------------------
  out.heading('1. The raw message');
  let predictedQp: number | undefined;
  if (ctx.prompts) {
    predictedQp = await ctx.prompts.predictChoice('the HTML part is quoted-printable. How does the link "…/reset?token=abc" appear in the raw message?', [
      '…/reset?token=abc (unchanged)',
      '…/reset?token=3Dabc',
      '…/reset?token%3Dabc (URL-encoded)',
    ]);
  }
  const safe = content(zoe, link, true);
  const raw = buildMessage(env, safe);
  const rawLines = raw.replace(/\r\n$/, '').split(CRLF);
  out.code(raw.replace(/\r\n$/, ''));
  const headerBlock = raw.slice(0, raw.indexOf(CRLF + CRLF));
  const headerLines = headerBlock.split(CRLF);
  const subjectAt = headerLines.findIndex((l) => l.startsWith('Subject:'));
  let subjectLines = 1;
  while (headerLines[subjectAt + subjectLines]?.startsWith(' ')) subjectLines++;
  const encodedWordCount = (headerBlock.match(/=\?UTF-8\?Q\?/g) ?? []).length;
  const softBreaks = rawLines.filter((l) => l.endsWith('=') && !l.startsWith('--') && !/^[\w-]+:/.test(l)).length;
  const asQp = raw.split(`token=3D${token.slice(0, 6)}`).length - 1;
  const asIs = raw.split(`token=${token.slice(0, 6)}`).length - 1;
  const linkInRaw = asQp > 0 && asIs === 0 ? 'token=3D' : asIs > 0 && asQp === 0 ? 'token=' : 'mixed';
  const longest = Math.max(...rawLines.map((l) => l.length));
  out.step(
    `Subject: ${encodedWordCount} encoded-word${encodedWordCount === 1 ? '' : 's'} on ${subjectLines} line${subjectLines === 1 ? '' : 's'}`,
    'Headers are 7-bit ASCII. Non-ASCII text (ë, the emoji) goes into RFC 2047 encoded-words, =?UTF-8?Q?...?=, with _ for a space and =XX per byte; long headers are folded onto lines that start with a space.',
    { encodedWords: encodedWordCount, subjectLines },
  );
  out.step(
    `The link's "token=" appears ${asQp} time${asQp === 1 ? '' : 's'} as "token=3D", ${asIs} as "token="`,
    "In quoted-printable, '=' starts an escape, so a literal '=' is written =3D. The mail client decodes it: the link the user clicks has a plain '='.",
    { linkInRaw, asQp, asIs },
  );
  if (predictedQp !== undefined) out.say(predictedQp === ({ 'token=': 0, 'token=3D': 1, mixed: 2 } as const)[linkInRaw] ? 'Your prediction matched the raw message.' : 'Not what you predicted: look at the href line above.');
  out.step(
    `${softBreaks} soft line break${softBreaks === 1 ? '' : 's'}; the longest line is ${longest} characters`,
    "A line ending in '=' is a soft break the decoder removes: quoted-printable keeps every line within 76 characters, so long HTML lines and links are split.",
    { softBreaks, longestLine: longest },
  );
  out.step(
    `Boundary ${env.boundary}: plain text first, HTML last`,
    "Parts of a multipart/alternative go from least to most preferred, and the client shows the last one it can render. A boundary starting with '=_' can never occur in quoted-printable text.",
    { boundary: env.boundary },
  );
  out.figure('message size', `${Buffer.byteLength(raw)} bytes, ${rawLines.length} lines`);

  // --- 2. Hostile personalisation -------------------------------------------------------------------------
  out.heading('2. Hostile input in the template');
  const naive = content(zoe, link, false);
  const naiveGreeting = naive.html.split('\n').find((l) => l.startsWith('<p>Hi')) ?? '';
  const safeGreeting = safe.html.split('\n').find((l) => l.startsWith('<p>Hi')) ?? '';
  const naiveExec = findExecutable(naive.html);
  const safeExec = findExecutable(safe.html);
  out.code(`concatenated: ${naiveGreeting}\nescaped:      ${safeGreeting}`);
  out.step(
    `Unescaped HTML part: ${naiveExec.length} executable element${naiveExec.length === 1 ? '' : 's'}; escaped: ${safeExec.length}`,
    'The name is text, so in HTML its <, >, & and quotes become entities. Mail clients do not run scripts, but the same hole lets an attacker add links and fake instructions to a mail from your trusted domain.',
    { naiveExecutable: naiveExec.length, escapedExecutable: safeExec.length },
  );
  out.say("The subject and the text/plain part carry the name as it is: they are not HTML, so escaping them would show '&lt;script&gt;' to the user.");

  const adaSubject = content(ada, link, true).subject;
  const naiveBlock = naiveHeaders(ada, adaSubject);
  const injected = parseHeaders(naiveBlock);
  out.say(`A second user signed up with the name ${JSON.stringify(ada.name)}. Pasted into the Subject by concatenation:`);
  out.code(naiveBlock);
  const recipients = injected.filter(([k]) => /^(to|cc|bcc)$/i.test(k)).flatMap(([, v]) => v.match(/[\w.+-]+@[\w.-]+/g) ?? []);
  const injectedNames = injected.map(([k]) => k);
  out.step(
    `A parser reads ${injected.length} headers: ${injectedNames.join(', ')}`,
    `The CRLF in the name ended the Subject line and started a header of the attacker's choosing. A mailer that takes recipients from the headers (sendmail -t) would send to: ${recipients.join(', ')}.`,
    { headers: injectedNames, recipients },
  );
  const nonAscii = /[^\x20-\x7e]/.test(adaSubject.replace(/[\r\n]/g, ''));
  let refused = '';
  try {
    header('Subject', adaSubject);
  } catch (e) {
    if (!(e instanceof HeaderInjection)) throw e;
    refused = e.message;
  }
  out.step(
    refused ? 'The header builder refused it' : 'The header builder accepted it',
    !refused
      ? 'No CR/LF check ran.'
      : nonAscii
        ? `${refused}. This subject has non-ASCII text, so an encoder would have written CR LF as =0D=0A inside an encoded-word; but many encoders pass an all-ASCII value through as it is, so the check has to be explicit.`
        : `${refused}. The subject is all ASCII, so it would have passed through unencoded: the check has to be explicit.`,
    { refused: refused !== '' },
  );

  // --- 3. SMTP ----------------------------------------------------------------------------------------------
  out.heading('3. Sending it over SMTP to 127.0.0.1');
  const smtp = await startSmtpServer(ctx);
  const from = 'no-reply@shop.example';
  const sent = await sendMail(ctx, smtp.port, from, [zoe.email], raw, true);
  out.say(`A tiny SMTP server on 127.0.0.1:${smtp.port}; C: is the client, S: the server. The message body is shortened:`);
  out.code(showDialogue(sent.dialogue, (l) => l.startsWith('..')));
  out.step(
    `${sent.stuffed} line${sent.stuffed === 1 ? '' : 's'} dot-stuffed`,
    "The data ends at a line holding only '.', so the client doubles the dot of any line that starts with one and the server removes it again (RFC 5321 §4.5.2).",
    { stuffed: sent.stuffed, replyCodes: [...sent.replyCodes] },
  );
  out.figure('SMTP session', `${sent.replyCodes.length} replies, ${Math.round(sent.ms)} ms`);

  // --- 4. What arrived -------------------------------------------------------------------------------------
  out.heading('4. Parsing what the server received');
  const got = smtp.delivered[0];
  if (!got) throw new Error('the SMTP server received nothing');
  const parsed = parseMessage(got.data);
  const want: Record<string, string> = { 'text/plain': safe.text, 'text/html': safe.html };
  const checks = parsed.parts.map((p) => ({ type: p.type, encoding: p.encoding, chars: p.body.length, same: p.body === want[p.type] }));
  out.table([
    ['part', 'encoding', 'decoded chars', 'same as built'],
    ['Subject header', 'RFC 2047 Q', parsed.subject.length, parsed.subject === safe.subject ? 'yes' : 'NO'],
    ...checks.map((c) => [c.type, c.encoding, c.chars, c.same ? 'yes' : 'NO']),
  ]);
  const identical = got.data === raw;
  out.step(
    `Received ${Buffer.byteLength(got.data)} bytes for ${got.to.join(', ')}; ${identical ? 'identical to' : 'different from'} what was built`,
    'Decoding the subject and both parts gives back the strings the template produced: the encodings are transport armour, not content.',
    { identical, parts: checks.map((c) => ({ ...c })) },
  );
  const preview = inboxPreview(parsed.parts.find((p) => p.type === 'text/html')?.body ?? '');
  const previewWithout = inboxPreview(safe.html.replace(/<div style="display:none[^]*?<\/div>/, ''));
  const fit = (t: string) => (t.length > 52 ? `${t.slice(0, 49)}...` : t);
  out.say(`An inbox list shows the first 40 to 140 or so characters of the body's text after the subject, hidden text included. Modelled here with ${PREVIEW_CHARS} characters of the received HTML part:`);
  out.code(`with pre-header:    ${fit(preview.shown)}\nwithout pre-header: ${fit(previewWithout.shown)}`);
  out.step(
    preview.shown.startsWith(PREHEADER) ? 'The hidden pre-header became the preview' : 'The preview does not start with the pre-header',
    preview.greetingShown
      ? 'The pre-header is display:none, so it is never seen in the opened mail, but the greeting still trails into the preview: more invisible filler would push it out.'
      : `The pre-header is display:none, so it is never seen in the opened mail; the invisible filler after it uses up the rest of the ${PREVIEW_CHARS} characters, so the greeting does not trail in.`,
    { preview: preview.shown, previewWithout: previewWithout.shown, greetingShown: preview.greetingShown },
  );

  const unstuffed = await sendMail(ctx, smtp.port, from, [zoe.email], raw, false);
  const got2 = smtp.delivered[1];
  const parsed2 = got2 ? parseMessage(got2.data) : undefined;
  const text2 = parsed2?.parts.find((p) => p.type === 'text/plain')?.body ?? '';
  const changed = text2.split('\n').filter((l) => !safe.text.split('\n').includes(l));
  const textIntact2 = text2 === safe.text;
  out.step(
    `Sent again without dot-stuffing: the text part ${textIntact2 ? 'arrived intact' : 'arrived changed'}`,
    textIntact2
      ? 'No line started with a dot, so stuffing made no difference this time.'
      : `The server removed the "stuffing" dot that was never added: ${JSON.stringify(changed[0] ?? '')}. A line holding only '.' would have ended the message early, and what followed would be read as SMTP commands.`,
    { stuffed: unstuffed.stuffed, textIntact: textIntact2, changedLines: changed },
  );

  out.takeaways([
    'An email is headers, a blank line and a body; multipart/alternative holds text/plain then text/html, each quoted-printable with lines of at most 76 characters.',
    'Non-ASCII headers use RFC 2047 encoded-words; a CR or LF in any header value must be refused, or user input writes its own headers.',
    'Escape for the context: HTML entities in the HTML part, nothing in the subject or text part, and a hidden pre-header sets the preview.',
    "SMTP ends the data with a line holding only '.', so clients dot-stuff; a library handles all this for you, which is why you use one.",
  ]);

  return {
    tokenBytes,
    bytes: Buffer.byteLength(raw),
    lines: rawLines.length,
    longestLine: longest,
    subject: { encodedWords: encodedWordCount, lines: subjectLines, roundTrip: parsed.subject === safe.subject },
    linkInRaw,
    softBreaks,
    escaping: { naiveExecutable: naiveExec.length, escapedExecutable: safeExec.length },
    injection: { headers: injectedNames, recipients, refused: refused !== '' },
    smtp: { replyCodes: [...sent.replyCodes], stuffed: sent.stuffed, delivered: smtp.delivered.length, recipients: [...got.to] },
    received: { identical, parts: checks.map((c) => ({ ...c })), subjectSame: parsed.subject === safe.subject, preview: preview.shown, previewIsPreheader: preview.shown.startsWith(PREHEADER), greetingInPreview: preview.greetingShown },
    withoutStuffing: { textIntact: textIntact2, changedLines: changed, htmlIntact: parsed2?.parts.find((p) => p.type === 'text/html')?.body === safe.html },
  };
}
