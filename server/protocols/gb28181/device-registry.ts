import type { Clock } from '@/lib/clock';
import type { CameraStatus } from '@/lib/domain/enums';
import type { CatalogItem } from './manscdp';

/** GB/T 28181 type codes (id digits 11–13) that are video sources we draw: 131 camera, 132 IPC. */
export const VIDEO_TYPES: ReadonlySet<string> = new Set(['131', '132']);
export const DEFAULT_KEEPALIVE_INTERVAL_MS = 60_000;
export const DEFAULT_MISSED_KEEPALIVES = 3;
export const DEFAULT_MAX_DEVICES = 50_000;
/** Channels kept per device: a 256-channel NVR fits many times over; a cascaded platform is not a device. */
export const MAX_CHANNELS_PER_DEVICE = 4_096;
/**
 * Catalog channels kept across all devices together: a province's camera points fit; a device (or many)
 * inventing channels cannot grow the listener, or the cameras table the registrar writes, without bound.
 */
export const DEFAULT_MAX_CATALOG_CHANNELS = 200_000;
/** A camera that has not answered our Catalog query by then is shown on its own keepalives. */
export const CATALOG_GRACE_MS = 10_000;

const GB_ID_DIGITS = 20;
export const isGbId = (id: string) => id.length === GB_ID_DIGITS && /^\d+$/.test(id);
export const isVideoSource = (id: string) => isGbId(id) && VIDEO_TYPES.has(id.slice(10, 13));

export interface CameraReportOut {
  id: string;
  status: CameraStatus;
  ts: number;
  name?: string;
  lng?: number;
  lat?: number;
}

interface Channel {
  status: CameraStatus;
  name?: string;
  lng?: number;
  lat?: number;
}

interface Device {
  id: string;
  /** host:port it registered from; MESSAGE/NOTIFY are accepted from there only. */
  address?: string;
  firstSeenAt: number;
  lastSeenAt: number;
  isRegistered: boolean;
  /** Unregistered (Expires: 0): offline until it is heard again. */
  hasLeft: boolean;
  /** The device's keepalive said ERROR. */
  isFault: boolean;
  faultIds: Set<string>;
  hasCatalog: boolean;
  /** Catalog entries, keyed by channel id; the device's own entry (an IPC lists itself) is `self`. */
  channels: Map<string, Channel>;
  self?: Channel;
  emitted: Map<string, CameraStatus>;
  lastEmitAt: number;
}

export interface RegistryOptions {
  keepaliveIntervalMs: number;
  missedKeepalives: number;
  maxDevices: number;
  /** Channels across all devices; default DEFAULT_MAX_CATALOG_CHANNELS. */
  maxChannels?: number;
}

/** GB/T 28181 A.2.5 / 9.6: catalog statuses and events, with the ONLINE/OFFLINE some NVRs write. */
export function itemStatus(item: CatalogItem): CameraStatus | 'removed' | undefined {
  switch (item.event) {
    case 'VLOST':
    case 'DEFECT':
      return 'fault';
    case 'ON':
      return 'online';
    case 'OFF':
      return 'offline';
    case 'DEL':
      return 'removed';
  }
  switch (item.status) {
    case undefined:
    case 'ON':
    case 'ONLINE':
    case 'OK':
      return 'online';
    case 'OFF':
    case 'OFFLINE':
      return 'offline';
    default:
      return 'fault'; // ERROR, DEFECT, VLOST…: the device says something is wrong
  }
}

/**
 * Who is online, as a pure function of what devices said and when (clock): a device is online while its
 * keepalives arrive and offline after `missedKeepalives` intervals without one; its channels follow it.
 * Every change, and every id once per keepalive interval (so the wall never marks a live camera stale),
 * comes out as a camera report.
 */
export class DeviceRegistry {
  private readonly devices = new Map<string, Device>();
  private totalChannels = 0;
  /** Catalog items refused because the global channel cap was reached (counted by the listener). */
  channelsRefused = 0;

  constructor(
    private readonly opts: RegistryOptions,
    private readonly clock: Clock,
  ) {}

  size(): number {
    return this.devices.size;
  }

  isRegistered(id: string): boolean {
    return this.devices.get(id)?.isRegistered ?? false;
  }

  hasCatalog(id: string): boolean {
    return this.devices.get(id)?.hasCatalog ?? false;
  }

  channelCount(): number {
    return this.totalChannels;
  }

  /** The address a device registered (or, auto-registering, first spoke) from. */
  addressOf(id: string): string | undefined {
    return this.devices.get(id)?.address;
  }

  /** Registers (or refreshes) a device from `address`; undefined when the registry is full. */
  register(id: string, address?: string): CameraReportOut[] | undefined {
    const d = this.touch(id);
    if (!d) return undefined;
    d.isRegistered = true;
    if (address !== undefined) d.address = address;
    return this.changes(d);
  }

  /** Binds an auto-registered device that never sent REGISTER to the address it first spoke from. */
  bindAddress(id: string, address: string): void {
    const d = this.devices.get(id);
    if (d && d.address === undefined) d.address = address;
  }

  unregister(id: string): CameraReportOut[] {
    const d = this.devices.get(id);
    if (!d) return [];
    d.isRegistered = false;
    d.hasLeft = true;
    d.address = undefined;
    return this.changes(d);
  }

  /** Forgets a device (disabled or deprovisioned): its cameras go offline once. */
  remove(id: string): CameraReportOut[] {
    const d = this.devices.get(id);
    if (!d) return [];
    const now = this.clock.now();
    const out: CameraReportOut[] = [];
    for (const cameraId of d.emitted.keys()) out.push({ id: cameraId, status: 'offline', ts: now });
    this.totalChannels -= d.channels.size;
    this.devices.delete(id);
    return out;
  }

  ids(): IterableIterator<string> {
    return this.devices.keys();
  }

  keepalive(id: string, status: string | undefined, faultIds: string[]): CameraReportOut[] | undefined {
    const d = this.touch(id);
    if (!d) return undefined;
    d.isFault = status !== undefined && status !== 'OK';
    d.faultIds = new Set(faultIds);
    return this.changes(d);
  }

  catalog(id: string, items: CatalogItem[]): CameraReportOut[] | undefined {
    const d = this.touch(id);
    if (!d) return undefined;
    d.hasCatalog = true;
    for (const item of items) {
      const status = itemStatus(item);
      if (item.deviceId === id) {
        d.self = {
          ...d.self,
          ...describe(item),
          status: status === 'removed' || !status ? 'online' : status,
        };
        continue;
      }
      if (!isVideoSource(item.deviceId)) continue; // groups, civil codes, alarm inputs…
      if (status === 'removed') {
        if (d.channels.delete(item.deviceId)) this.totalChannels--;
        continue;
      }
      const prev = d.channels.get(item.deviceId);
      if (!prev) {
        if (d.channels.size >= MAX_CHANNELS_PER_DEVICE) continue;
        if (this.totalChannels >= (this.opts.maxChannels ?? DEFAULT_MAX_CATALOG_CHANNELS)) {
          this.channelsRefused++;
          continue;
        }
        this.totalChannels++;
      }
      d.channels.set(item.deviceId, { ...prev, ...describe(item), status: status ?? 'online' });
    }
    return this.changes(d);
  }

  /** Devices silent past the window go offline; everything is re-reported once per interval. */
  sweep(): CameraReportOut[] {
    const now = this.clock.now();
    const out: CameraReportOut[] = [];
    for (const d of this.devices.values()) {
      const isDue = now - d.lastEmitAt >= this.opts.keepaliveIntervalMs;
      out.push(...this.changes(d, isDue));
    }
    return out;
  }

  private touch(id: string): Device | undefined {
    const now = this.clock.now();
    let d = this.devices.get(id);
    if (!d) {
      if (this.devices.size >= this.opts.maxDevices) return undefined;
      d = {
        id,
        firstSeenAt: now,
        lastSeenAt: now,
        isRegistered: false,
        hasLeft: false,
        isFault: false,
        faultIds: new Set(),
        hasCatalog: false,
        channels: new Map(),
        emitted: new Map(),
        lastEmitAt: now,
      };
      this.devices.set(id, d);
    }
    d.lastSeenAt = now;
    d.hasLeft = false;
    return d;
  }

  private deviceStatus(d: Device, now: number): CameraStatus {
    const window = this.opts.keepaliveIntervalMs * this.opts.missedKeepalives;
    if (d.hasLeft || now - d.lastSeenAt > window) return 'offline';
    return d.isFault ? 'fault' : 'online';
  }

  /** The ids this device stands for and their current status. */
  private current(d: Device, now: number): Map<string, [CameraStatus, Channel | undefined]> {
    const device = this.deviceStatus(d, now);
    const out = new Map<string, [CameraStatus, Channel | undefined]>();
    // A keepalive ERROR names its faulty ids in Info; without a list, the whole device is at fault.
    const follow = (own: CameraStatus, id: string): CameraStatus => {
      if (device === 'offline') return 'offline';
      const isFaulty = d.faultIds.has(id) || (device === 'fault' && d.faultIds.size === 0);
      return isFaulty && own !== 'offline' ? 'fault' : own;
    };
    for (const [id, ch] of d.channels) out.set(id, [follow(ch.status, id), ch]);
    // The device itself is a camera when it is one (IPC) and does not list itself as channels instead.
    const isWaitingForCatalog = !d.hasCatalog && now - d.firstSeenAt < CATALOG_GRACE_MS;
    if (isVideoSource(d.id) && d.channels.size === 0 && !isWaitingForCatalog) {
      out.set(d.id, [follow(d.self?.status ?? 'online', d.id), d.self]);
    }
    return out;
  }

  private changes(d: Device, isRefreshDue = false): CameraReportOut[] {
    const now = this.clock.now();
    const out: CameraReportOut[] = [];
    const current = this.current(d, now);
    for (const [id, [status, ch]] of current) {
      if (!isRefreshDue && d.emitted.get(id) === status) continue;
      d.emitted.set(id, status);
      out.push({ id, status, ts: now, ...(ch ? describe(ch) : {}) });
    }
    // A channel deleted from the catalog: say it went offline once, then forget it.
    for (const id of d.emitted.keys()) {
      if (current.has(id)) continue;
      d.emitted.delete(id);
      out.push({ id, status: 'offline', ts: now });
    }
    if (isRefreshDue || out.length > 0) d.lastEmitAt = now;
    return out;
  }
}

function describe(x: { name?: string; lng?: number; lat?: number }): {
  name?: string;
  lng?: number;
  lat?: number;
} {
  const out: { name?: string; lng?: number; lat?: number } = {};
  if (x.name) out.name = x.name.slice(0, 64);
  if (x.lng !== undefined && x.lat !== undefined) {
    out.lng = x.lng;
    out.lat = x.lat;
  }
  return out;
}
