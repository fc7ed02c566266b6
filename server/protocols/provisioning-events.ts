/**
 * In-process signal that field-device provisioning changed (a terminal provisioned or disabled, a GB/T 28181
 * device added or disabled). The admin routes raise it after their transaction commits; the directories a
 * gateway reads subscribe and re-read the database at once instead of waiting for their refresh timer. A
 * standalone gateway (another process) never hears it and relies on that timer.
 */
type Listener = () => void;

const listeners = new Set<Listener>();

export function onProvisioningChange(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function notifyProvisioningChange(): void {
  for (const fn of listeners) {
    try {
      fn();
    } catch {
      // A directory that fails to refresh keeps its last view and retries on its timer.
    }
  }
}
