/**
 * An HTTP client for labs that need more than the harness's GET-as-text: any method, a request body, the
 * status line and header lines as received, and the body as raw bytes (never decompressed). Plus the
 * heads of requests and responses formatted as they look on the wire. Used by the http-caching, cors and
 * compression labs, against servers started with startServer (http-harness.ts).
 */
import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { LabContext } from './types.js';

export interface WireRequest {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
}

export interface WireReply {
  readonly status: number;
  readonly statusText: string;
  /** Header lines in the order received, names as the server wrote them. */
  readonly headerLines: readonly (readonly [string, string])[];
  /** Lowercased names, as Node exposes them. */
  readonly headers: IncomingHttpHeaders;
  /** The body bytes exactly as received: no decoding, no decompression. */
  readonly body: Buffer;
  /** Milliseconds from sending to the last body byte. */
  readonly ms: number;
}

/** One request on a fresh connection to 127.0.0.1:port (no pooling, so nothing lingers); aborted with the lab. */
export function sendRequest(ctx: Pick<LabContext, 'signal'>, port: number, req: WireRequest): Promise<WireReply> {
  if (ctx.signal.aborted) return Promise.reject(ctx.signal.reason);
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const r = request(
      { host: '127.0.0.1', port, method: req.method ?? 'GET', path: req.path, headers: { ...req.headers }, agent: false, signal: ctx.signal },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('error', reject);
        res.on('end', () => {
          const headerLines: [string, string][] = [];
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) headerLines.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            headerLines,
            headers: res.headers,
            body: Buffer.concat(parts),
            ms: performance.now() - start,
          });
        });
      },
    );
    r.on('error', reject);
    r.end(req.body);
  });
}

/** A header value as one string (Node joins repeated headers into arrays for a few names). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** The response's status line and header lines, optionally only some headers (by lowercase name). */
export function formatResponseHead(r: WireReply, only?: readonly string[]): string {
  const lines = r.headerLines.filter(([n]) => !only || only.includes(n.toLowerCase())).map(([n, v]) => `${n}: ${v}`);
  return [`HTTP/1.1 ${r.status} ${r.statusText}`, ...lines].join('\n');
}

/** The request line and header lines as the server received them. */
export function formatRequestSeen(req: IncomingMessage, only?: readonly string[]): string {
  const lines: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    if (!only || only.includes(name.toLowerCase())) lines.push(`${name}: ${req.rawHeaders[i + 1]!}`);
  }
  return [`${req.method ?? '?'} ${req.url ?? '/'} HTTP/${req.httpVersion}`, ...lines].join('\n');
}
