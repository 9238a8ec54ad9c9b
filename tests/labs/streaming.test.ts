/** The streaming lab, run for real; assertions are on what it observed. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

const MiB = 1024 * 1024;

describe('streaming lab', () => {
  it('buffers the whole file or a few chunks, honours backpressure, and resumes an upload from the server offset', async () => {
    const { obs, cap } = await run('streaming', 1, { sizeMb: 32, hwmKb: 64, uploadMb: 8, chunkMb: 2 });
    const m = obs.memory;
    expect(m.hashesMatch).toBe(true);
    // Buffered holds the whole file; its peak RSS is at least most of it above an idle process.
    expect(m.bufferedPeakHeld).toBe(32 * MiB);
    expect(m.bufferedRssKb - m.idleRssKb).toBeGreaterThan(32 * 1024 * 0.8);
    // Streamed: 64 KiB chunks, never more than a few queued at once.
    expect(m.streamedChunks).toBe(512);
    expect(m.largestStreamedChunk).toBe(64 * 1024);
    expect(m.streamedPeakHeld).toBeLessThan(MiB);
    expect(m.streamedRssKb).toBeLessThan(m.bufferedRssKb);

    const bp = (v: string) => obs.backpressure.find((b: { variant: string }) => b.variant === v);
    // Ignoring write() === false queues everything; honouring it keeps the queue near highWaterMark.
    expect(bp('ignore').writesFalse).toBeGreaterThan(50);
    expect(bp('ignore').peakBuffered).toBe(MiB);
    expect(bp('drain').writesFalse).toBeGreaterThan(0);
    expect(bp('drain').drains).toBe(bp('drain').writesFalse);
    expect(bp('drain').peakBuffered).toBeLessThanOrEqual(80 * 1024);
    expect(bp('pipeline').pauses).toBeGreaterThan(0);
    expect(bp('pipeline').peakBuffered).toBeLessThanOrEqual(80 * 1024);

    const u = obs.upload;
    expect(u.bytes).toBe(8 * MiB);
    expect(u.chunks).toBe(4);
    expect(u.statuses[0]).toBe(201);
    expect(u.statuses).toContain('aborted');
    // The server kept part of the cut chunk: retrying from the chunk start is refused, HEAD says where to go on.
    expect(u.retryStatus).toBe(409);
    const chunkStart = (u.cutChunk - 1) * 2 * MiB;
    expect(u.resumeAt).toBeGreaterThan(chunkStart);
    expect(u.resumeAt).toBeLessThanOrEqual(u.sentBeforeCut);
    expect(u.match).toBe(true);
    expect(u.statuses.at(-1)).toBe(204);
    expect(cap.text()).not.toContain('MISMATCH');
  });

  it('generates the same file and cuts at the same byte for the same seed, and removes its temp dir', async () => {
    const params = { sizeMb: 8, uploadMb: 4, chunkMb: 1 };
    const a = await run('streaming', 4, params);
    const b = await run('streaming', 4, params);
    expect(a.obs.sourceSha256).toBe(b.obs.sourceSha256);
    expect(a.obs.upload.cutAt).toBe(b.obs.upload.cutAt);
    expect(a.obs.upload.match).toBe(true);
    expect(a.obs.tempDir).toMatch(/backend-tutor-streaming-/);
    expect(existsSync(a.obs.tempDir)).toBe(false);
  });
});
