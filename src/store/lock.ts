/**
 * A lock file beside the progress file, so two sessions (two terminals) never interleave a read-modify-write.
 * The lock is created complete (its owner's pid and a token are written to a temp file, then hard-linked
 * into place, which fails atomically if a lock exists), so nobody ever sees a half-written lock. A lock
 * whose owner died is taken over, but only if it is still the same lock that was judged dead.
 */
import { closeSync, linkSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { FileError } from '../errors.js';

const WAIT_MS = 10_000;
/** A lock with no readable owner (written by something else) is taken over after this long. */
const UNREADABLE_STALE_MS = 5_000;

const code = (error: unknown) => (error as NodeJS.ErrnoException).code;

function readLock(lockFile: string): string | undefined {
  try {
    return readFileSync(lockFile, 'utf8');
  } catch {
    return undefined;
  }
}

function ownerAlive(content: string, lockFile: string): boolean {
  const pid = Number(content.split(':')[0]);
  if (!Number.isInteger(pid) || pid <= 0) {
    try {
      return Date.now() - statSync(lockFile).mtimeMs < UNREADABLE_STALE_MS;
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return code(error) === 'EPERM';
  }
}

/** Create the lock with its content in one step; false if one exists. */
function tryCreate(lockFile: string, content: string, unique: string): boolean {
  const temp = `${lockFile}.${process.pid}.${unique}`;
  writeFileSync(temp, content);
  try {
    linkSync(temp, lockFile);
    return true;
  } catch (error) {
    if (code(error) === 'EEXIST') return false;
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes(code(error) ?? '')) throw error;
    // A filesystem without hard links: exclusive create, then write (a reader may briefly see it empty).
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, content);
      closeSync(fd);
      return true;
    } catch (inner) {
      if (code(inner) === 'EEXIST') return false;
      throw inner;
    }
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function acquireLock(lockFile: string): Promise<() => void> {
  // Loaded here, not at start-up: only commands that write take the lock.
  const { randomBytes } = await import('node:crypto');
  const token = `${process.pid}:${randomBytes(8).toString('hex')}`;
  const start = Date.now();
  for (let attempt = 0; ; attempt++) {
    if (tryCreate(lockFile, token, randomBytes(4).toString('hex'))) {
      return () => {
        // Only remove our own lock: never one that replaced it after a takeover.
        if (readLock(lockFile) === token) {
          try {
            unlinkSync(lockFile);
          } catch {
            // already gone
          }
        }
      };
    }
    const held = readLock(lockFile);
    if (held !== undefined && !ownerAlive(held, lockFile) && readLock(lockFile) === held) {
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
