import type { CameraStatus } from '@/lib/domain/enums';
import type { Rng } from '@/lib/world/rng';

/**
 * Camera health as a three-state Markov chain in simulated time. Means are chosen so that ~2.5 % are offline
 * (network or power) and ~1.5 % faulty (video lost, defect) at any moment: the 95–97 % online rates that
 * 雪亮工程 platforms report.
 */
export const CAMERA_MEAN_MS = {
  onlineToOffline: 72 * 3_600_000,
  offlineToOnline: 2 * 3_600_000,
  onlineToFault: 30 * 24 * 3_600_000,
  faultToOnline: 12 * 3_600_000,
} as const;

export function steadyStateShares(): Record<CameraStatus, number> {
  const m = CAMERA_MEAN_MS;
  // Time-weighted shares of a renewal process: each excursion costs its mean duration.
  const offline = m.offlineToOnline / m.onlineToOffline;
  const fault = m.faultToOnline / m.onlineToFault;
  const total = 1 + offline + fault;
  return { online: 1 / total, offline: offline / total, fault: fault / total };
}

export function initialCameraStatus(rng: Rng): CameraStatus {
  const s = steadyStateShares();
  return rng.weighted([
    ['online', s.online],
    ['offline', s.offline],
    ['fault', s.fault],
  ]);
}

/** The state after `dtMs` of simulated time (at most one transition per step: steps are short). */
export function nextCameraStatus(status: CameraStatus, dtMs: number, rng: Rng): CameraStatus {
  const p = (mean: number) => 1 - Math.exp(-dtMs / mean);
  const m = CAMERA_MEAN_MS;
  if (status === 'offline') return rng.chance(p(m.offlineToOnline)) ? 'online' : 'offline';
  if (status === 'fault') return rng.chance(p(m.faultToOnline)) ? 'online' : 'fault';
  const r = rng.next();
  if (r < p(m.onlineToOffline)) return 'offline';
  if (r < p(m.onlineToOffline) + p(m.onlineToFault)) return 'fault';
  return 'online';
}
