/** The http-raw lab, run for real; assertions are on what the raw socket and the server observed. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

describe('http-raw lab', () => {
  it('frames bodies by Content-Length and by chunks, and reuses one connection with keep-alive', async () => {
    const { obs, cap } = await run('http-raw', 4, { requests: 12, chunks: 4 });
    expect(obs.fixed).toMatchObject({ statusLine: 'HTTP/1.1 200 OK', framing: 'content-length' });
    expect(obs.fixed.bodyBytes).toBe(obs.fixed.contentLength);
    expect(obs.fixed.bodyBytes).toBe(Buffer.byteLength(obs.fixed.body));

    expect(obs.chunked).toMatchObject({ framing: 'chunked', transferEncoding: 'chunked', hasContentLength: false, bodyMatches: true });
    // Four writes give four data chunks and the terminating zero chunk; the hex on the wire is the size.
    expect(obs.chunked.sizes).toHaveLength(5);
    expect(obs.chunked.sizes.at(-1)).toBe(0);
    expect(obs.chunked.sizesHex.map((h: string) => parseInt(h, 16))).toEqual(obs.chunked.sizes);
    expect(obs.chunked.sizes.reduce((a: number, b: number) => a + b, 0)).toBe(obs.chunked.bodyBytes);
    expect(obs.chunked.reads).toBeGreaterThanOrEqual(1);

    // Counted by the server's 'connection' events.
    expect(obs.keepAlive).toMatchObject({ requests: 12, connections: 1, keepAliveHeaders: 12 });
    expect(obs.fresh).toMatchObject({ requests: 12, connections: 12, closedByServer: 12 });
    // 1 fixed + 1 stream + 1 warm-up + 12 + 12, on 1 + 1 + 1 + 1 + 12 connections.
    expect(obs.serverRequests).toBe(27);
    expect(obs.serverConnections).toBe(16);
    expect(cap.events.some((e) => e.type === 'code' && e.text.includes('GET /fixed HTTP/1.1\\r\\n'))).toBe(true);
  });

  it('sends the same bodies for the same seed', async () => {
    const a = await run('http-raw', 21, { requests: 2, chunks: 3 });
    const b = await run('http-raw', 21, { requests: 2, chunks: 3 });
    expect(a.obs.fixed).toEqual(b.obs.fixed);
    expect(a.obs.chunked.sizesHex).toEqual(b.obs.chunked.sizesHex);
  });
});
