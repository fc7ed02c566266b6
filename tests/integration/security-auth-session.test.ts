import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient, type Socket } from 'socket.io-client';
import { SESSION_IDLE_MS, SESSION_MAX_MS } from '@/server/auth/session-store';
import { waitFor } from '../helpers/test-app';
import { startDispatchKit, type DispatchKit } from './dispatch-test-kit';

/**
 * Issue 16 item 3: the 30-minute idle limit. Only what a person does refreshes a session (a write, or the
 * page's activity ping, itself a POST); background reads, socket handshakes and the server's own socket
 * re-check never do. A duty officer's wall (read-only role) is exempt from the idle limit but not from the
 * 12-hour maximum.
 */
let kit: DispatchKit;
const MINUTE = 60_000;

beforeAll(async () => {
  kit = await startDispatchKit();
});
afterAll(() => kit?.close());

function connect(cookie: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = ioClient(kit.t.url, {
      transports: ['websocket'],
      extraHeaders: { cookie },
      reconnection: false,
    });
    s.on('connect', () => resolve(s));
    s.on('connect_error', (e) => {
      s.close();
      reject(e);
    });
  });
}

describe('idle limit', () => {
  it('background reads and socket handshakes do not keep an idle console signed in', async () => {
    const cookie = await kit.login('dispatcher');
    // Three background polls and a socket reconnect, 9 minutes apart: nobody touched the console.
    for (let k = 0; k < 3; k++) {
      kit.clock.advance(9 * MINUTE);
      expect((await kit.api('GET', '/api/incidents', { cookie })).status).toBe(200);
      (await connect(cookie)).close();
    }
    kit.clock.advance(9 * MINUTE); // 36 minutes after the last thing a person did (signing in)
    expect((await kit.api('GET', '/api/session', { cookie })).status).toBe(401);
  });

  it('the periodic socket re-check does not refresh the session, and closes the socket once idle', async () => {
    const cookie = await kit.login('dispatcher');
    const socket = await connect(cookie);
    let isClosed = false;
    socket.on('disconnect', () => (isClosed = true));
    for (let k = 0; k < 6; k++) {
      kit.clock.advance(5 * MINUTE);
      await kit.t.app.reauthorizeSockets();
    }
    // 30 minutes of re-checks, none of them activity: the 7th (35 min) finds the session idle and closes it.
    kit.clock.advance(5 * MINUTE);
    await kit.t.app.reauthorizeSockets();
    await waitFor(() => isClosed, 5_000, 'the idle console socket closed');
    expect((await kit.api('GET', '/api/session', { cookie })).status).toBe(401);
  });

  it('user activity (a write or the activity ping) keeps it signed in', async () => {
    const cookie = await kit.login('dispatcher');
    for (let k = 0; k < 4; k++) {
      kit.clock.advance(20 * MINUTE);
      expect((await kit.api('POST', '/api/session/activity', { cookie, body: {} })).status).toBe(200);
    }
    expect((await kit.api('GET', '/api/session', { cookie })).status).toBe(200); // 80 minutes in
    kit.clock.advance(SESSION_IDLE_MS + MINUTE);
    expect((await kit.api('GET', '/api/session', { cookie })).status).toBe(401);
    // An expired session cannot revive itself with a ping.
    expect((await kit.api('POST', '/api/session/activity', { cookie, body: {} })).status).toBe(401);
  });

  it('a duty officer’s wall stays signed in while unattended, until the 12-hour maximum', async () => {
    const cookie = await kit.login('duty');
    const socket = await connect(cookie);
    let isClosed = false;
    socket.on('disconnect', () => (isClosed = true));
    for (let k = 0; k < 8; k++) {
      kit.clock.advance(15 * MINUTE);
      await kit.t.app.reauthorizeSockets();
    }
    expect((await kit.api('GET', '/api/session', { cookie })).status).toBe(200); // 2 h without a touch
    expect(isClosed).toBe(false);
    kit.clock.advance(SESSION_MAX_MS);
    await kit.t.app.reauthorizeSockets();
    await waitFor(() => isClosed, 5_000, 'the wall socket closed at the maximum session age');
    expect((await kit.api('GET', '/api/session', { cookie })).status).toBe(401);
  });
});
