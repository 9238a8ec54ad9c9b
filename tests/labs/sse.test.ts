/** The sse lab, run for real; assertions are on the event ids each client received. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

const result = (obs: Record<string, any>, client: string) => obs.results.find((r: { client: string }) => r.client === client);

describe('sse lab', () => {
  it('resumes with Last-Event-ID without loss or duplicates; without it the gaps are lost', async () => {
    const { obs, cap } = await run('sse', 2, { gap: 3, retryMs: 60, buffer: 50 });
    // 4 live, 1 cut mid-event, 3 offline, 4 live, 3 offline, 4 live.
    expect(obs.published).toBe(19);
    expect(obs.midEventId).toBe(5);
    expect(obs.discardedId).toBe('5');
    expect(obs.firstConnectionEvents).toBe(4);
    expect(obs.reconnects).toEqual([
      { client: 'resume', lastEventIdsSent: ['4', '12'] },
      { client: 'naive', lastEventIdsSent: [null, null] },
    ]);
    expect(obs.replayed).toEqual([4, 3]);
    expect(result(obs, 'resume')).toMatchObject({ received: 19, lost: 0, duplicated: 0, inOrder: true, reconnects: 2, resyncs: 0 });
    expect(result(obs, 'naive')).toMatchObject({ received: 12, lost: 7, lostIds: [5, 6, 7, 8, 13, 14, 15], duplicated: 0, inOrder: true });
    expect(cap.events.some((e) => e.type === 'code' && e.text.includes('Last-Event-ID: 4'))).toBe(true);
  });

  it('answers resync when the replay buffer is too small, and repeats its counts for a seed', async () => {
    const a = await run('sse', 8, { gap: 2, retryMs: 30, buffer: 1 });
    expect(a.obs.resyncs).toBe(2);
    expect(result(a.obs, 'resume').lost).toBeGreaterThan(0);
    const b = await run('sse', 8, { gap: 2, retryMs: 30, buffer: 1 });
    const counts = (o: Record<string, any>) => o.results.map(({ comments: _c, ...r }: Record<string, unknown>) => r);
    expect(counts(a.obs)).toEqual(counts(b.obs));
  });
});
