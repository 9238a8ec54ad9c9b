/** The compression lab, run for real; assertions are on what the server negotiated and what zlib produced. */
import { describe, expect, it } from 'vitest';
import { negotiate } from '../../labs/compression.js';
import { runForTest as run } from '../helpers/lab-run.js';

describe('compression lab', () => {
  it('negotiates by q-value, round-trips every body, and shows what does not compress', async () => {
    const { obs } = await run('compression', 1, { kb: 16, minBytes: 1024 });
    const n = obs.negotiated as { path: string; acceptEncoding: string | null; status: number; contentEncoding: string | null; vary: string | null; wireBytes: number; originalBytes: number; verified: boolean }[];
    expect(n.map((x) => (x.status === 200 ? (x.contentEncoding ?? 'identity') : x.status))).toEqual(['br', 'gzip', 'br', 'gzip', 'deflate', 'identity', 406, 'identity', 'identity']);
    expect(n.filter((x) => x.status === 200).every((x) => x.verified)).toBe(true);
    expect(n.every((x) => x.vary === 'Accept-Encoding')).toBe(true);
    expect(n[0]!.wireBytes).toBeLessThan(n[0]!.originalBytes / 3);

    const r = (payload: string, setting: string) => obs.results.find((x: { payload: string; setting: string }) => x.payload === payload && x.setting === setting);
    // Random and already-compressed bytes never get smaller, whatever the codec or level.
    for (const x of obs.results.filter((x: { payload: string }) => x.payload === 'random' || x.payload === 'json.gz')) {
      expect(x.bytes).toBeGreaterThanOrEqual(x.payload === 'random' ? obs.sizes.random : obs.sizes.jsonGz);
    }
    for (const p of ['json', 'html']) {
      expect(r(p, 'gzip -6').ratio).toBeGreaterThan(3);
      expect(r(p, 'gzip -9').bytes).toBeLessThanOrEqual(r(p, 'gzip -1').bytes);
      expect(r(p, 'br q11').bytes).toBeLessThan(r(p, 'br q5').bytes);
    }
    // 11 bytes: gzip's 10-byte header and 8-byte trailer make it bigger.
    expect(obs.small[0]).toMatchObject({ bytes: 11, gzip: 31 });
    expect(obs.small[0].br).toBeGreaterThan(11);
  });

  it('follows RFC 9110 for Accept-Encoding', () => {
    expect(negotiate('gzip;q=0.8, br;q=1.0').coding).toBe('br');
    expect(negotiate('br;q=0.2, gzip;q=0.9, deflate;q=0.9').coding).toBe('gzip');
    expect(negotiate('br;q=0, *;q=0.5').coding).toBe('gzip');
    expect(negotiate('compress, x-custom').coding).toBe('identity');
    expect(negotiate('identity;q=0').coding).toBe(null);
    expect(negotiate('*;q=0, identity').coding).toBe('identity');
    expect(negotiate(undefined).coding).toBe('identity');
  });

  it('generates the same payloads and sizes for the same seed', async () => {
    const pick = (o: Record<string, any>) => ({ sizes: o.sizes, bytes: o.results.map((x: { bytes: number }) => x.bytes), small: o.small });
    const a = await run('compression', 8, { kb: 4, minBytes: 1024 });
    const b = await run('compression', 8, { kb: 4, minBytes: 1024 });
    expect(pick(a.obs)).toEqual(pick(b.obs));
  });
});
