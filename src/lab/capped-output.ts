import { StringDecoder } from "node:string_decoder";

/** How much of a command's output is kept, per stream: the last 1 MiB. */
export const OUTPUT_CAP = 1024 * 1024;

/**
 * One stream of a command's output, keeping only the last `cap` bytes so that a command like
 * `yes` cannot grow the runner's memory; `text()` says how much was cut.
 */
export class CappedOutput {
  private chunks: Buffer[] = [];
  private size = 0;
  private cut = 0;
  private readonly decoder = new StringDecoder("utf8");

  constructor(
    private readonly cap = OUTPUT_CAP,
    private readonly live?: (chunk: string) => void,
  ) {}

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.live) {
      const text = this.decoder.write(chunk);
      if (text !== "") this.live(text);
    }
    if (chunk.length >= this.cap) {
      this.cut += this.size + chunk.length - this.cap;
      this.chunks = [Buffer.from(chunk.subarray(chunk.length - this.cap))];
      this.size = this.cap;
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.cap) {
      const first = this.chunks[0];
      if (first === undefined) break;
      const excess = this.size - this.cap;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
        this.cut += first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
        this.cut += excess;
      }
    }
  }

  get truncated(): boolean {
    return this.cut > 0;
  }

  /** The kept output; when some was cut, a first line says how many bytes. */
  text(): string {
    const body = Buffer.concat(this.chunks, this.size).toString("utf8");
    if (this.cut === 0) return body;
    return `[course: ${this.cut} bytes of output cut; the last ${this.size} bytes follow]\n${body}`;
  }
}
