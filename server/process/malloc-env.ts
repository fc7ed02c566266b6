/**
 * glibc malloc settings for the server process. They are read by the C library when the process starts, so
 * they travel in its environment: `npm start`, `npm run dev`, the systemd units in deploy/ and the bench's
 * servers all set these values (malloc-env.test.ts holds them to it).
 *
 * Why: the server allocates and frees large typed arrays all day (column growth, batch and snapshot buffers,
 * the history thread's blocks) from several threads. By default glibc gives each thread its own arena, and
 * once a large block is freed it raises its mmap threshold to that size (up to 32 MB), so later blocks below
 * it come from the arenas, where freed space is rarely handed back to the kernel. Measured at province scale
 * through the product (bench --product --preset=province): the server's RSS not explained by its JS heaps
 * and ArrayBuffers was 284–433 MB by default (3 runs), 241 MB with MALLOC_ARENA_MAX alone and 183 MB with
 * both (one run each).
 */
export const MALLOC_ENV = {
  /** At most two arenas for all threads (default 8 per core). */
  MALLOC_ARENA_MAX: '2',
  /** Blocks of 1 MiB and more are always their own mapping, returned to the kernel when freed. */
  MALLOC_MMAP_THRESHOLD_: '1048576',
} as const;

/** The settings this process started without (an operator's own value counts as set), for a warning. */
export function missingMallocEnv(env: Record<string, string | undefined> = process.env): string[] {
  if (process.platform !== 'linux') return [];
  return Object.entries(MALLOC_ENV)
    .filter(([k]) => env[k] === undefined)
    .map(([k, v]) => `${k}=${v}`);
}
