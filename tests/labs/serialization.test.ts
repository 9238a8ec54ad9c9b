/** The serialization lab, run for real; assertions are on what it observed. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

describe('serialization lab', () => {
  it('measures JSON against the binary codec and observes JSON losses and forward compatibility', async () => {
    const { obs } = await run('serialization', 1, { records: 2000 });
    // Both codecs round-trip every record; the binary one is smaller, raw and gzipped.
    expect(obs.roundTrip).toEqual({ json: 2000, binary: 2000 });
    expect(obs.size.binBytes).toBeLessThan(obs.size.jsonBytes / 1.5);
    expect(obs.size.jsonGz).toBeLessThan(obs.size.jsonBytes / 3);
    expect(obs.size.jsonBytes / obs.size.binBytes).toBeGreaterThan(obs.size.jsonGz / obs.size.binGz);
    expect(obs.oneRecord.binaryBytes).toBeLessThan(obs.oneRecord.jsonBytes);
    // Snowflake ids sent as JSON numbers: most come back wrong.
    expect(obs.idsAsNumbersCorrupted).toBeGreaterThan(1500);
    // The classic losses, as this Node printed them.
    expect(obs.losses['bigint-precision']).toBe('9007199254740992');
    expect(obs.losses['date-to-string']).toBe('{"at":"2024-03-10T12:00:00.000Z"}');
    expect(obs.losses['date-comes-back-string']).toBe('string');
    expect(obs.losses['undefined-dropped']).toBe('{"a":1}');
    expect(obs.losses['undefined-in-array']).toBe('[1,null]');
    expect(obs.losses['nan-to-null']).toBe('{"n":null,"i":null}');
    expect(obs.losses['map-set-to-object']).toBe('{"m":{},"s":{}}');
    expect(obs.losses['bigint-throws']).toMatch(/^TypeError: .*BigInt/);
    expect(obs.binaryExactId).toBe('9007199254740993');
    // Over HTTP: the lenient client and the binary decoder survive the new field, the strict client does not.
    expect(obs.forwardCompat.lenientJson.ok).toBe(true);
    expect(obs.forwardCompat.strictJson).toEqual({ ok: false, detail: 'rejected: unknown field "phone"' });
    expect(obs.forwardCompat.binaryV1.ok).toBe(true);
    expect(obs.forwardCompat.binaryV1.detail).toMatch(/^skipped 1 unknown field/);
  });

  it('encodes the same records to the same bytes for the same seed', async () => {
    const a = await run('serialization', 5, { records: 300 });
    const b = await run('serialization', 5, { records: 300 });
    expect(a.obs.size).toEqual(b.obs.size);
    expect(a.obs.oneRecord).toEqual(b.obs.oneRecord);
    expect(a.obs.idsAsNumbersCorrupted).toBe(b.obs.idsAsNumbersCorrupted);
  });
});
