import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

/** A real terminal: a detached tmux session on a private socket, driven with send-keys and read with capture-pane. */
export class Terminal {
  private readonly socket = `bt-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  /** The server's socket file (tmux's default place): tmux can leave it behind, so close() removes it. */
  private readonly socketPath = join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${process.getuid?.() ?? 0}`, this.socket);

  constructor(command: string, readonly width = 80, readonly height = 40) {
    this.tmux('new-session', '-d', '-s', 'main', '-x', String(width), '-y', String(height), command);
  }

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  /** The visible screen; `joined` undoes the terminal's own wrapping, so over-long lines show as such. */
  screen(joined = false): string {
    return this.tmux('capture-pane', '-p', ...(joined ? ['-J'] : []), '-t', 'main');
  }

  /** Keys as tmux names them: 'Enter', 'Escape', 'C-c', or literal text. */
  send(...keys: string[]): void {
    this.tmux('send-keys', '-t', 'main', ...keys);
  }

  type(text: string): void {
    this.tmux('send-keys', '-t', 'main', '-l', text);
  }

  async waitFor(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
    const start = Date.now();
    let last = '';
    while (Date.now() - start < timeoutMs) {
      last = this.screen();
      if (pattern.test(last)) return last;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`timed out waiting for ${pattern} on screen:\n${last}`);
  }

  /** What tmux knows of the terminal's state: still on the alternate screen? cursor shown? */
  state(): { alternate: boolean; cursorVisible: boolean } {
    const [alt, cursor] = this.tmux('display', '-p', '-t', 'main', '#{alternate_on} #{cursor_flag}').trim().split(' ');
    return { alternate: alt === '1', cursorVisible: cursor === '1' };
  }

  close(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // already gone
    }
    rmSync(this.socketPath, { force: true });
  }
}

export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
