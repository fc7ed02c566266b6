import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** Where Socket.IO (engine.io) takes WebSocket upgrades; it answers these itself. */
export const SOCKET_IO_PATH = '/socket.io/';

/**
 * The HTTP server's `upgrade` listener besides Socket.IO's. Socket.IO runs with `destroyUpgrade: false` so
 * that Next's dev server (HMR) can take its own upgrades; without this, in production an upgrade to any other
 * path was never answered and held a file descriptor until the peer gave up (issue 16 item 6).
 */
export function strayUpgradeHandler(
  devUpgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    if (req.url?.startsWith(SOCKET_IO_PATH)) return;
    if (devUpgrade) devUpgrade(req, socket, head);
    else refuseUpgrade(socket);
  };
}

export function refuseUpgrade(socket: Duplex): void {
  socket.on('error', () => {}); // the peer may be gone; an upgraded socket has no error listener of its own
  // Destroyed once written: ending alone would wait on a peer that never closes its side.
  socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', () =>
    socket.destroy(),
  );
}
