import net from 'node:net';
import { FrameSplitter } from './frame';
import { encodeLocation, encodeLocationBatch, type FixInput } from './location';
import { decodeFrame, encodeFrame, MSG, type Jt808Message } from './message';
import { encodeAuthentication, encodeRegistration } from './registration';

/** Answers kept for waiters; older ones are dropped (a bench reads counts, not messages). */
const MAX_KEPT_ANSWERS = 1_024;
const ANSWER_TIMEOUT_MS = 5_000;

/**
 * A JT/T 808 terminal over TCP, for tests, the bench and demos: registers, authenticates and reports.
 * Not a conformance tool: it speaks just what our gateway answers.
 */
export class SimulatedTerminal {
  /** Platform answers received (0x8001 and 0x8100). */
  answers = 0;
  private serial = 0;
  private readonly kept: Jt808Message[] = [];
  private waiters: { match: (m: Jt808Message) => boolean; resolve: (m: Jt808Message) => void }[] = [];

  private constructor(
    readonly socket: net.Socket,
    readonly phone: string,
    readonly is2019: boolean,
  ) {
    const splitter = new FrameSplitter({
      onFrame: (f) => {
        const d = decodeFrame(f);
        if (d.ok) this.onAnswer({ header: d.message.header, body: Buffer.from(d.message.body) });
      },
      onDiscard: () => {},
    });
    socket.on('data', (c: Buffer) => splitter.push(c));
    socket.on('error', () => {});
  }

  static connect(
    port: number,
    phone: string,
    opts: { host?: string; is2019?: boolean } = {},
  ): Promise<SimulatedTerminal> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: opts.host ?? '127.0.0.1' }, () => {
        socket.off('error', reject);
        socket.setNoDelay(true);
        resolve(new SimulatedTerminal(socket, phone, opts.is2019 ?? false));
      });
      socket.once('error', reject);
    });
  }

  /** Builds a frame from this terminal (next serial). */
  frame(msgId: number, body?: Buffer): Buffer {
    return encodeFrame({ msgId, phone: this.phone, serial: this.serial++, body, is2019: this.is2019 });
  }

  send(bytes: Buffer): boolean {
    return this.socket.write(bytes);
  }

  /** Registers and returns the auth code (auto-registration); throws when refused. */
  async register(plate = ''): Promise<string> {
    const { result, code } = await this.registerResult(plate);
    if (result !== 0) throw new Error(`registration refused: ${result}`);
    return code;
  }

  /** Sends 0x0100 and returns the 0x8100 result code (0 ok, 2 no vehicle, 3 already registered, 4 no
   * terminal) and the code handed out with 0. */
  async registerResult(plate = ''): Promise<{ result: number; code: string }> {
    const answer = this.waitFor((m) => m.header.msgId === MSG.registerResponse);
    this.send(this.frame(MSG.register, encodeRegistration(plate, this.is2019)));
    const m = await answer;
    return { result: m.body[2]!, code: m.body.toString('latin1', 3) };
  }

  /** Authenticates; resolves with the 0x8001 result code. */
  async authenticate(code: string): Promise<number> {
    const answer = this.waitForResponseTo(MSG.authenticate);
    this.send(this.frame(MSG.authenticate, encodeAuthentication(code, this.is2019)));
    return (await answer).body[4]!;
  }

  location(fix: FixInput): Buffer {
    return this.frame(MSG.location, encodeLocation(fix));
  }

  locationBatch(fixes: FixInput[], type = 0): Buffer {
    return this.frame(MSG.locationBatch, encodeLocationBatch(fixes.map(encodeLocation), type));
  }

  waitForResponseTo(msgId: number): Promise<Jt808Message> {
    return this.waitFor((m) => m.header.msgId === MSG.platformResponse && m.body.readUInt16BE(2) === msgId);
  }

  waitFor(match: (m: Jt808Message) => boolean): Promise<Jt808Message> {
    const found = this.kept.findIndex(match);
    if (found !== -1) return Promise.resolve(this.kept.splice(found, 1)[0]!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer from the gateway')), ANSWER_TIMEOUT_MS);
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  /** Resolves when the gateway closes the connection. */
  closed(): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  close(): void {
    this.socket.destroy();
  }

  private onAnswer(m: Jt808Message): void {
    this.answers++;
    const i = this.waiters.findIndex((w) => w.match(m));
    if (i !== -1) {
      this.waiters.splice(i, 1)[0]!.resolve(m);
      return;
    }
    if (this.kept.length >= MAX_KEPT_ANSWERS) this.kept.shift();
    this.kept.push(m);
  }
}
