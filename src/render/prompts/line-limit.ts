/**
 * A guard between the terminal and a text prompt: a line longer than the limit is cut at the stream, before
 * readline turns every byte into a keypress (a 10 MB paste would otherwise take minutes to swallow).
 */
import { Transform, type TransformCallback } from 'node:stream';

export class LineLimit extends Transform {
  /** Bytes dropped from over-long lines, so the learner can be told. */
  dropped = 0;
  private inLine = 0;
  readonly isTTY = true;

  constructor(
    private readonly tty: NodeJS.ReadStream,
    private readonly limit: number,
  ) {
    super();
  }

  /** readline sets raw mode on its input: pass it on to the real terminal. */
  setRawMode(mode: boolean): this {
    if (this.tty.isTTY) this.tty.setRawMode(mode);
    return this;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const keep: number[] = [];
    let start = 0;
    for (let i = 0; i <= chunk.length; i++) {
      const end = i === chunk.length;
      const newline = !end && (chunk[i] === 13 || chunk[i] === 10);
      if (!end && !newline) continue;
      const room = Math.max(0, this.limit - this.inLine);
      const take = Math.min(room, i - start);
      for (let j = start; j < start + take; j++) keep.push(chunk[j]!);
      this.dropped += i - start - take;
      this.inLine += take;
      if (newline) {
        keep.push(chunk[i]!);
        this.inLine = 0;
      }
      start = i + 1;
    }
    done(null, Buffer.from(keep));
  }
}
