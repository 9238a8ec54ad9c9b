/** The email lab, run for real; assertions are on what it observed. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

describe('email lab', () => {
  it('builds a MIME message that survives SMTP and rejects hostile input', async () => {
    const { obs } = await run('email', 1, { tokenBytes: 32 });
    // Quoted-printable keeps lines within 76 characters, encodes '=' and folds the encoded subject.
    expect(obs.longestLine).toBeLessThanOrEqual(76);
    expect(obs.linkInRaw).toBe('token=3D');
    expect(obs.softBreaks).toBeGreaterThan(0);
    expect(obs.subject.encodedWords).toBeGreaterThanOrEqual(1);
    expect(obs.subject.roundTrip).toBe(true);
    // The <script> name is live markup unescaped, inert escaped; the CRLF name injects a Bcc and is refused.
    expect(obs.escaping).toEqual({ naiveExecutable: 1, escapedExecutable: 0 });
    expect(obs.injection.headers).toContain('Bcc');
    expect(obs.injection.recipients).toContain('everyone@evil.example');
    expect(obs.injection.refused).toBe(true);
    // Real SMTP: the full dialogue succeeded, one line was dot-stuffed, the message arrived byte for byte.
    expect(obs.smtp.replyCodes).toEqual([220, 250, 250, 250, 354, 250, 221]);
    expect(obs.smtp.stuffed).toBe(1);
    expect(obs.smtp.delivered).toBe(2);
    expect(obs.received.identical).toBe(true);
    expect(obs.received.subjectSame).toBe(true);
    expect(obs.received.parts.map((p: { type: string; same: boolean }) => [p.type, p.same])).toEqual([
      ['text/plain', true],
      ['text/html', true],
    ]);
    expect(obs.received.previewIsPreheader).toBe(true);
    // Without stuffing, the server strips a dot the client never added.
    expect(obs.withoutStuffing.textIntact).toBe(false);
    expect(obs.withoutStuffing.changedLines[0]).toMatch(/^\.\.or ignore/);
  });

  it('is deterministic under --seed (token, boundary, Message-ID) and wraps long tokens', async () => {
    const a = await run('email', 7, { tokenBytes: 48 });
    const b = await run('email', 7, { tokenBytes: 48 });
    const pick = (o: Record<string, any>) => ({ bytes: o.bytes, lines: o.lines, softBreaks: o.softBreaks, subject: o.subject, smtp: o.smtp });
    expect(pick(a.obs)).toEqual(pick(b.obs));
    expect(a.obs.longestLine).toBeLessThanOrEqual(76);
    expect(a.obs.received.identical).toBe(true);
  });
});
