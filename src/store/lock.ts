/**
 * A lock file beside the progress file, so two sessions (two terminals) never interleave a read-modify-write.
 * `wx` creation is atomic; a lock whose owner died (or that is implausibly old) is taken over.
 */
import { openSync, closeSync, writeSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { FileError } from '../errors.js';

const STALE_MS = 30_000;
const WAIT_MS = 10_000;

function ownerAlive(lockFile: string): boolean {
  try {
    const pid = Number(readFileSync(lockFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isStale(lockFile: string, now: number): boolean {
  try {
    return !ownerAlive(lockFile) || now - statSync(lockFile).mtimeMs > STALE_MS;
  } catch {
    return false; // vanished meanwhile: just retry
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function acquireLock(lockFile: string): Promise<() => void> {
  const start = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          unlinkSync(lockFile);
        } catch {
          // already removed by a stale-lock takeover: nothing to release
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (isStale(lockFile, Date.now())) {
      try {
        unlinkSync(lockFile);
      } catch {
        // someone else took it over first
      }
      continue;
    }
    if (Date.now() - start > WAIT_MS) {
      throw new FileError(lockFile, `Another backend-tutor process holds ${lockFile}. If none is running, delete that file.`);
    }
    await sleep(Math.min(50, 5 + attempt * 5));
  }
}
