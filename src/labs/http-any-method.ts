/**
 * HTTP with bodies for labs: a client for any method, with an optional body, against a lab's local server
 * (see http-harness.ts, whose client only sends GET), built on http-wire-client.ts and returning the body
 * as text too, and a bounded body reader for the server side.
 * No keep-alive: every request has its own socket, so closing the server (the lab's deferred cleanup)
 * leaves nothing open.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { HttpReply } from './http-harness.js';
import { sendRequest } from './http-wire-client.js';

/** These callers end their requests by closing the server, not by aborting. */
const NOT_ABORTED = new AbortController().signal;

export interface SendOptions {
  readonly headers?: Record<string, string>;
  /** Sent as is; a content-length header is added. */
  readonly body?: string;
}

export interface RawHttpReply extends HttpReply {
  /** The body's bytes, for binary responses (`body` is the same bytes read as UTF-8). */
  readonly raw: Buffer;
}

export async function sendHttp(port: number, method: string, path: string, o: SendOptions = {}): Promise<RawHttpReply> {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.body !== undefined) headers['content-length'] = String(Buffer.byteLength(o.body));
  const r = await sendRequest({ signal: NOT_ABORTED }, port, { method, path, headers, ...(o.body === undefined ? {} : { body: o.body }) });
  return { status: r.status, headers: r.headers, body: r.body.toString('utf8'), raw: r.body, ms: r.ms };
}

/** The request line and a response as they travelled, for `out.code`: status line, chosen headers, body. */
export function showExchange(method: string, path: string, reply: HttpReply, headerNames: readonly string[], requestBody?: string): string {
  const lines = [`> ${method} ${path} HTTP/1.1`];
  if (requestBody !== undefined) lines.push(`> ${requestBody}`);
  lines.push(`< HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status] ?? ''}`.trimEnd());
  for (const name of headerNames) {
    const v = reply.headers[name];
    if (v !== undefined) lines.push(`< ${name}: ${Array.isArray(v) ? v.join(', ') : v}`);
  }
  if (reply.body) lines.push(`< ${reply.body.trimEnd()}`);
  return lines.join('\n');
}

/** Thrown by readBody when the body is larger than the limit: answer 413. */
export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`request body larger than ${limit} bytes`);
  }
}

/** The request body as UTF-8 text, read up to `limit` bytes (the rest is not buffered). */
export function readBody(req: IncomingMessage, limit = 64 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge(limit));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
