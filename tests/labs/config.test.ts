/** The config lab, run for real (child processes); assertions are on what the children did. */
import { describe, expect, it } from 'vitest';
import { runForTest as run } from '../helpers/lab-run.js';

describe('config lab', () => {
  it('layers, validates at start-up, redacts secrets and shows the naive pitfalls', async () => {
    const { obs } = await run('config', 1);
    // defaults < file < env < flags, each value traced to its layer.
    expect(obs.sources).toEqual({ port: 'flag', host: 'file', logLevel: 'flag', databaseUrl: 'env', apiKey: 'env', featureX: 'env', timeoutMs: 'default' });
    expect(obs.config).toMatchObject({ port: 9443, host: 'localhost', logLevel: 'warn', featureX: false, timeoutMs: 5000 });
    expect(obs.config.databaseUrl).toBe('postgres://app:***@db:5432/shop');
    expect(obs.config.apiKey).toMatch(/^\[redacted/);
    // Bad values fail fast: EX_CONFIG, no work done, every problem listed.
    expect(obs.exitCodes).toEqual({ layered: 0, badPort: 78, missing: 78, badUrl: 78, naiveBadUrl: 1 });
    expect(obs.didWork).toEqual({ layered: true, badPort: false, missing: false, badUrl: false, naive: false });
    expect(obs.errors.badPort).toEqual(['PORT (env): expected an integer, got "abc"']);
    expect(obs.errors.missing).toHaveLength(2);
    expect(obs.errors.missing.join('\n')).toMatch(/DATABASE_URL: required/);
    expect(obs.errors.badUrl[0]).toContain('postgres://app:***@');
    // Secrets never reach the schema app's output; the naive app prints them in its log and its crash.
    expect(obs.leaks).toMatchObject({ layered: 0, badPort: 0, missing: 0, badUrl: 0 });
    expect(obs.leaks.naiveStdout).toBeGreaterThan(0);
    expect(obs.leaks.naiveStderr).toBeGreaterThan(0);
    expect(obs.schemaSameEnv).toMatchObject({ exitCode: 78, didWork: false });
    expect(obs.schemaSameEnv.errors).toHaveLength(2);
    // Coercion pitfalls, as Node evaluated them.
    expect(obs.naive['Boolean(process.env.FEATURE_X)']).toBe(true);
    expect(obs.naive["process.env.FEATURE_X ? 'on' : 'off'"]).toBe('on');
    expect(obs.naive['port + 1']).toBe('80801');
    expect(obs.naive['Number(process.env.TIMEOUT_MS)']).toBe(0);
    expect(obs.naive['parseInt(process.env.RETRIES)']).toBe(3);
  }, 20_000);

  it('generates the same secrets for the same seed', async () => {
    const a = await run('config', 4);
    const b = await run('config', 4);
    expect(a.obs.sources).toEqual(b.obs.sources);
    expect(a.obs.config).toEqual(b.obs.config);
    expect(a.obs.leaks).toEqual(b.obs.leaks);
  }, 20_000);
});
