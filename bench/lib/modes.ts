/** What `npm run bench` runs in each mode. Quick keeps the whole run near 5 minutes on 2 cores. */
export interface BenchMode {
  name: 'quick' | 'full';
  /** Units in the synthetic province (DESIGN §1: ~1 M tracked vehicles). */
  fleet: number;
  clients: number;
  packedRates: number[];
  naiveRates: number[];
  warmupMs: number;
  measureMs: number;
  settleMs: number;
  /** B5: steady rate, then ×factor for burstMs; watched for afterMs once the burst ends. */
  burst: {
    packedBase: number;
    naiveBase: number;
    factor: number;
    burstMs: number;
    beforeMs: number;
    afterMs: number;
  };
  /** Server memory under a steady province load (1 M units reporting every 10 s = 100 k/s). */
  soak: { rate: number; durationMs: number; sampleEveryMs: number };
}

export const QUICK: BenchMode = {
  name: 'quick',
  fleet: 300_000,
  clients: 10,
  packedRates: [100_000, 200_000, 300_000, 600_000, 1_000_000],
  naiveRates: [2_500, 5_000, 10_000, 20_000],
  warmupMs: 1_500,
  measureMs: 4_000,
  settleMs: 1_000,
  burst: {
    packedBase: 100_000,
    naiveBase: 2_000,
    factor: 10,
    burstMs: 5_000,
    beforeMs: 2_000,
    afterMs: 5_000,
  },
  soak: { rate: 100_000, durationMs: 30_000, sampleEveryMs: 2_000 },
};

export const FULL: BenchMode = {
  name: 'full',
  fleet: 1_000_000,
  clients: 10,
  packedRates: [100_000, 200_000, 250_000, 300_000, 350_000, 500_000, 750_000, 1_000_000],
  naiveRates: [2_500, 5_000, 10_000, 20_000, 40_000],
  warmupMs: 3_000,
  measureMs: 10_000,
  settleMs: 1_000,
  burst: {
    packedBase: 100_000,
    naiveBase: 2_000,
    factor: 10,
    burstMs: 5_000,
    beforeMs: 3_000,
    afterMs: 8_000,
  },
  soak: { rate: 100_000, durationMs: 600_000, sampleEveryMs: 5_000 },
};
