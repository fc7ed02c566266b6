import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectWall, startTestApp, waitFor, type TestApp } from '../helpers/test-app';

/** How long a stray upgrade may stay open: it must be answered and closed well before this. */
const ANSWER_WITHIN_MS = 5_000;

/**
 * A raw WebSocket upgrade request; resolves with what the server wrote once it closed the connection, or
 * rejects when the connection is still open after `ANSWER_WITHIN_MS` (a held file descriptor).
 */
function upgrade(port: number, path: string, closeAfterAnswer = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(
          `the upgrade to ${path} was still open after ${ANSWER_WITHIN_MS} ms: ${answer || '(no answer)'}`,
        ),
      );
    }, ANSWER_WITHIN_MS);
    socket.on('data', (d) => {
      answer += d.toString('latin1');
      if (closeAfterAnswer && answer.includes('\r\n\r\n')) socket.end();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(answer);
    });
    socket.write(
      [
        `GET ${path} HTTP/1.1`,
        `Host: 127.0.0.1:${port}`,
        'Upgrade: websocket',
        'Connection: Upgrade',
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version: 13',
        '',
        '',
      ].join('\r\n'),
    );
  });
}

/**
 * Issue 16 item 6: in production no Next upgrade handler is attached and Socket.IO leaves other upgrades
 * alone (destroyUpgrade: false), so an upgrade to any other path was never answered and held a descriptor.
 * The real app as production wires it (no Next dev server).
 */
describe('stray WebSocket upgrades', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await startTestApp();
    port = Number(new URL(t.url).port);
  });
  afterAll(() => t?.close());

  it('an upgrade to any path but /socket.io/ is answered 400 and closed', async () => {
    for (const path of ['/evil', '/socket.iox', '/_next/webpack-hmr', '/api/health']) {
      const answer = await upgrade(port, path);
      expect(answer, path).toMatch(/^HTTP\/1\.1 400 /);
    }
  });

  it('a flood of them leaves nothing open', async () => {
    const answers = await Promise.all(Array.from({ length: 200 }, (_, k) => upgrade(port, `/x${k}`)));
    expect(answers.every((a) => a.startsWith('HTTP/1.1 400 '))).toBe(true);
    const open = await new Promise<number>((resolve, reject) =>
      t.app.httpServer.getConnections((err, n) => (err ? reject(err) : resolve(n))),
    );
    expect(open).toBe(0);
  });

  it('/socket.io/ still upgrades, and a wall gets its snapshot', async () => {
    const answer = await upgrade(port, '/socket.io/?EIO=4&transport=websocket', true);
    expect(answer).toMatch(/^HTTP\/1\.1 101 /);
    const wall = connectWall(t.url);
    try {
      await waitFor(() => wall.batches.length > 0, 10_000, 'the first batch');
    } finally {
      wall.socket.disconnect();
    }
  });
});
