/** The websocket lab, run for real; assertions are on the bytes and deliveries it observed. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

describe('websocket lab', () => {
  it('upgrades, frames by RFC 6455, and needs a broker to reach clients on the other server', async () => {
    const { obs, cap } = await run('websocket', 3, { clients: 3 });
    const h = obs.handshake;
    expect(h).toMatchObject({ status: 101, acceptMatches: true, evilOriginStatus: 403 });
    expect(h.accept).toBe(createHash('sha1').update(`${h.key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64'));

    const f = obs.frames;
    // "hello": 2 header bytes + 4 mask bytes + 5 from the client; 2 + 5 unmasked from the server.
    expect(f).toMatchObject({ helloClientBytes: 11, helloServerBytes: 7, clientFramesMasked: true, serverFramesMasked: false });
    expect(f.lengths).toEqual([
      { payload: 125, lengthForm: '7-bit', headerBytes: 6, echoed: 'got 125 bytes' },
      { payload: 126, lengthForm: '16-bit', headerBytes: 8, echoed: 'got 126 bytes' },
      { payload: 65536, lengthForm: '64-bit', headerBytes: 14, echoed: 'got 65536 bytes' },
    ]);
    expect(f.fragmented).toBe('fragmented (2 frames)');
    expect(f).toMatchObject({ pongMatches: true, closeEchoed: 1000, tcpClosedAfterClose: true, unmaskedCloseCode: 1002, unmaskedTcpClosed: true });

    // 6 members, each sends one message: 36 deliveries wanted; without a broker only same-server ones.
    const s = obs.scaling;
    expect(s.before).toEqual({ AtoA: 9, AtoB: 0, BtoA: 0, BtoB: 9, total: 18 });
    expect(s.after).toEqual({ AtoA: 9, AtoB: 9, BtoA: 9, BtoB: 9, total: 36 });
    expect(s.relays).toBe(12);
    expect(cap.events.some((e) => e.type === 'code' && e.text.includes('Sec-WebSocket-Accept: '))).toBe(true);
  });

  it('shows the same key and bytes for the same seed', async () => {
    const a = await run('websocket', 11, { clients: 1 });
    const b = await run('websocket', 11, { clients: 1 });
    expect(a.obs.handshake).toEqual(b.obs.handshake);
    expect(a.obs.scaling).toEqual(b.obs.scaling);
    // Everything but the ephemeral port in the Host header.
    const codes = (c: typeof a.cap) => c.events.filter((e) => e.type === 'code').map((e) => e.text.replace(/127\.0\.0\.1:\d+/g, 'HOST'));
    expect(codes(a.cap)).toEqual(codes(b.cap));
  });
});
