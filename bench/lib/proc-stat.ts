/**
 * What Linux says about who had the cores during a window: the whole machine's busy time, a process's CPU
 * time, and how long a thread sat runnable waiting for a core (schedstat). On two shared cores the last one
 * is what turns a busy machine into late ticks. Each reader returns null where /proc lacks the file.
 */
import fs from 'node:fs';

/** Kernel clock ticks per second for /proc/stat and /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

const read = (file: string): string | null => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
};

/** Seconds all cores spent busy (user, nice, system, irq, softirq, steal) since boot. */
export function machineBusyS(): number | null {
  const line = read('/proc/stat')?.split('\n', 1)[0];
  if (!line?.startsWith('cpu ')) return null;
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / USER_HZ;
}

/** CPU seconds (user + system, all threads) of another process. */
export function processCpuS(pid: number): number | null {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return null;
  // The command name (field 2) may hold spaces: count fields from the parenthesis that closes it.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / USER_HZ;
}

/** Seconds a process's main thread (its event loop, for Node) was runnable but waiting for a core. */
export function mainThreadRunWaitS(pid: number): number | null {
  const s = read(`/proc/${pid}/schedstat`);
  if (!s) return null;
  return Number(s.split(' ')[1]) / 1e9;
}
