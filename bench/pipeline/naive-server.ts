/**
 * The naive baseline (child process), the way such walls are usually built: subscribe to the same Redis
 * channel, validate each report, and emit it as JSON to every client — one Socket.IO message per update per
 * client, no coalescing, no acknowledgement, no binary.
 */
import http from 'node:http';
import { createClient } from 'redis';
import { Server } from 'socket.io';
import { acceptVehicleReport } from '@/lib/domain/fast-report';
import { REDIS_KEYS } from '@/lib/realtime/contract';
import { processSample, serveParent } from '../lib/child';

export const NAIVE_EVENT = 'vehicle:update';

const httpServer = http.createServer();
const io = new Server(httpServer, { serveClient: false, perMessageDeflate: false });
const sub = createClient({ url: process.env.REDIS_URL });
sub.on('error', () => {});
let received = 0;
/** Reconnects after the first connection: Redis drops a subscriber whose backlog passes its buffer limit. */
let busReconnects = -1;
sub.on('ready', () => busReconnects++);

async function start() {
  await sub.connect();
  await sub.subscribe(REDIS_KEYS.channel.vehicle, (message: string) => {
    const data: unknown = JSON.parse(message);
    for (const item of Array.isArray(data) ? data : [data]) {
      const r = acceptVehicleReport(item);
      if (!r) continue;
      received++;
      io.emit(NAIVE_EVENT, r);
    }
  });
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', () => resolve()));
  const port = (httpServer.address() as { port: number }).port;
  return { port, url: `http://127.0.0.1:${port}` };
}

function sample() {
  return { ...processSample(), received, clients: io.engine.clientsCount, busReconnects };
}

async function stop() {
  io.close();
  await sub.close().catch(() => {});
  setTimeout(() => process.exit(0), 10);
  return {};
}

serveParent({ start, sample, stop });
