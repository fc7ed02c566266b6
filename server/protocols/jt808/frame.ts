/**
 * JT/T 808 framing: 0x7E flags around each message, 0x7E/0x7D inside escaped as 0x7D 0x02 / 0x7D 0x01,
 * and a one-byte XOR check code before the closing flag. Pure: no sockets here.
 */
export const FLAG = 0x7e;
export const ESCAPE = 0x7d;

/**
 * The longest escaped frame we reassemble. The largest legal message (2019 header 17 bytes + split fields 4 +
 * 1023-byte body + check code) is 1,045 bytes, at most 2,090 escaped: anything longer is garbage.
 */
export const MAX_ESCAPED_FRAME_BYTES = 4_096;

/** Undoes 0x7D escaping; undefined when 0x7D is followed by anything but 0x01/0x02 (or ends the frame). */
export function unescapeFrame(escaped: Buffer): Buffer | undefined {
  let i = escaped.indexOf(ESCAPE);
  if (i === -1) return escaped;
  const out = Buffer.allocUnsafe(escaped.length);
  escaped.copy(out, 0, 0, i);
  let o = i;
  for (; i < escaped.length; i++) {
    const b = escaped[i]!;
    if (b !== ESCAPE) {
      out[o++] = b;
      continue;
    }
    const next = escaped[++i];
    if (next === 0x01) out[o++] = ESCAPE;
    else if (next === 0x02) out[o++] = FLAG;
    else return undefined;
  }
  return out.subarray(0, o);
}

/** Escapes a raw message (header + body + check code) and wraps it in flags. */
export function escapeFrame(raw: Uint8Array): Buffer {
  let extra = 0;
  for (const b of raw) if (b === FLAG || b === ESCAPE) extra++;
  const out = Buffer.allocUnsafe(raw.length + extra + 2);
  let o = 0;
  out[o++] = FLAG;
  for (const b of raw) {
    if (b === FLAG) {
      out[o++] = ESCAPE;
      out[o++] = 0x02;
    } else if (b === ESCAPE) {
      out[o++] = ESCAPE;
      out[o++] = 0x01;
    } else out[o++] = b;
  }
  out[o++] = FLAG;
  return out;
}

/** XOR of every byte in [start, end). */
export function xorChecksum(buf: Uint8Array, start = 0, end = buf.length): number {
  let x = 0;
  for (let i = start; i < end; i++) x ^= buf[i]!;
  return x;
}

export interface FrameSink {
  /** One escaped frame without its flags. A view into the read buffer: use it before returning. */
  onFrame(escaped: Buffer): void;
  /** Bytes dropped outside any frame, or a frame that grew past MAX_ESCAPED_FRAME_BYTES. */
  onDiscard(reason: 'garbage' | 'oversize', bytes: number): void;
}

/**
 * Reassembles frames from TCP reads: a read may hold half a frame, several frames, or noise. Every 0x7E is a
 * delimiter and every non-empty run between two of them is a candidate frame (noise between frames therefore
 * reaches the decoder and is rejected by it, counted). Memory per connection is bounded by
 * MAX_ESCAPED_FRAME_BYTES.
 */
export class FrameSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private isInFrame = false;

  /** The longest frame held; undefined: MAX_ESCAPED_FRAME_BYTES. A session lowers it until authenticated. */
  maxFrameBytes: number | undefined;

  constructor(
    private readonly sink: FrameSink,
    maxFrameBytes?: number,
  ) {
    this.maxFrameBytes = maxFrameBytes;
  }

  push(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      const flag = chunk.indexOf(FLAG, pos);
      const end = flag === -1 ? chunk.length : flag;
      if (!this.isInFrame) {
        if (end > pos) this.sink.onDiscard('garbage', end - pos);
        if (flag === -1) return;
        this.isInFrame = true;
        pos = flag + 1;
        continue;
      }
      if (this.pendingBytes + (end - pos) > (this.maxFrameBytes ?? MAX_ESCAPED_FRAME_BYTES)) {
        this.sink.onDiscard('oversize', this.pendingBytes + (end - pos));
        this.reset();
        // Resynchronise on the next flag, which is treated as an opening one.
        if (flag === -1) return;
        this.isInFrame = true;
        pos = flag + 1;
        continue;
      }
      if (flag === -1) {
        // Copy: the socket may reuse its read buffer once we return.
        this.pending.push(Buffer.from(chunk.subarray(pos)));
        this.pendingBytes += chunk.length - pos;
        return;
      }
      const tail = chunk.subarray(pos, flag);
      const frame = this.pendingBytes === 0 ? tail : Buffer.concat([...this.pending, tail]);
      this.pending = [];
      this.pendingBytes = 0;
      // Back-to-back flags (one frame's end, the next one's start) delimit nothing.
      if (frame.length > 0) this.sink.onFrame(frame);
      pos = flag + 1;
    }
  }

  /** Bytes held for an unfinished frame (for tests and metrics). */
  bufferedBytes(): number {
    return this.pendingBytes;
  }

  private reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.isInFrame = false;
  }
}
