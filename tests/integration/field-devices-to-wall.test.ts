import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchLat, batchLng, decodePositions } from '@/lib/realtime/position-codec';
import { CAMERA_STATUSES } from '@/lib/domain/enums';
import { createLogger } from '@/server/logger';
import { startJt808Gateway, type Jt808Gateway } from '@/server/protocols/jt808/gateway';
import { SimulatedTerminal } from '@/server/protocols/jt808/simulated-terminal';
import { startGb28181Listener, type Gb28181Listener } from '@/server/protocols/gb28181/listener';
import { SimulatedDevice } from '@/server/protocols/gb28181/simulated-device';
import { connectWall, startTestApp, waitFor, waitForIdx, type TestApp } from '../helpers/test-app';

const IPC = '51010400001320000042';

/** A JT/T 808 terminal and a GB/T 28181 camera pointed at the product end up on a wall's socket. */
describe('field devices → wall', () => {
  let t: TestApp;
  let jt: Jt808Gateway;
  let sip: Gb28181Listener;
  beforeAll(async () => {
    t = await startTestApp();
    // Demo mode: FIELD_AUTO_REGISTER is on, unknown terminals and devices register themselves.
    const deps = {
      host: '127.0.0.1',
      bus: t.bus,
      logger: createLogger('silent'),
      stats: t.app.ctx.stats,
      autoRegister: true,
    };
    jt = await startJt808Gateway({ ...deps, port: 0, batchIntervalMs: 10 });
    sip = await startGb28181Listener({ ...deps, port: 0 });
  });
  afterAll(async () => {
    await jt.close();
    await sip.close();
    await t.close();
  });

  it('moves a vehicle on the wall from a terminal over TCP', async () => {
    const wall = connectWall(t.url);
    const term = await SimulatedTerminal.connect(jt.port, '13912340000');
    expect(await term.authenticate(await term.register('川A12345'))).toBe(0);
    term.send(term.location({ lat: 30.66, lng: 104.06, speedKmh: 42, heading: 180, ts: Date.now() }));
    const idx = await waitForIdx(t.url, 'vehicle', '13912340000');
    const pos = await waitFor(
      () => {
        for (const b of wall.batches) {
          if (!b.vehicle) continue;
          const d = decodePositions(b.vehicle as Uint8Array);
          for (let i = 0; i < d.count; i++) if (d.idx[i] === idx) return [batchLng(d, i), batchLat(d, i)];
        }
        return undefined;
      },
      5_000,
      'vehicle position',
    );
    expect(pos[0]).toBeCloseTo(104.06, 5);
    expect(pos[1]).toBeCloseTo(30.66, 5);
    expect(t.app.ctx.live.vehicle.getById('13912340000')!.name).toBe('川A12345');
    term.close();
    wall.socket.close();
  });

  it('turns a camera online on the wall from a SIP REGISTER and keepalive', async () => {
    const wall = connectWall(t.url);
    const dev = await SimulatedDevice.create(IPC, sip.port);
    // An IPC answers the platform's catalog query with itself: name and position.
    dev.channels = [{ id: IPC, name: '东门入口', status: 'ON', lng: 104.07, lat: 30.67 }];
    await dev.register();
    await dev.keepalive(1);
    await waitFor(
      () => {
        const c = t.app.ctx.live.camera.getById(IPC);
        return c && CAMERA_STATUSES[c.status] === 'online';
      },
      5_000,
      'camera online',
    );
    const cameraIdx = await waitForIdx(t.url, 'camera', IPC);
    await waitFor(
      () =>
        wall.batches.some((b) => b.camera && decodePositions(b.camera as Uint8Array).idx.includes(cameraIdx)),
      5_000,
      'camera on the wall',
    );
    dev.close();
    wall.socket.close();
  });
});
