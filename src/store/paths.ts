/** Where progress lives: --data-dir, else BACKEND_TUTOR_HOME, else the platform data directory (env-paths style). */
import { homedir } from 'node:os';
import { join } from 'node:path';

const APP = 'backend-tutor';

export function platformDataDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home: string): string {
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP);
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), APP, 'Data');
  return join(env.XDG_DATA_HOME || join(home, '.local', 'share'), APP);
}

export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag || env.BACKEND_TUTOR_HOME || platformDataDir(env, process.platform, homedir());
}

export const PROGRESS_FILE = 'progress.json';
