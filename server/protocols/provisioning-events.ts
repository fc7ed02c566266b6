/**
 * In-process signal that field-device provisioning changed (a terminal provisioned or disabled, a GB/T 28181
 * device added or disabled). The admin routes raise it after their transaction commits; the directories a
 * gateway reads subscribe and re-read the database at once instead of waiting for their refresh timer. A
 * gateway in another process (a standalone one, or another server on the same PostgreSQL) never hears it
 * and relies on that timer.
 */
type Listener = () => void | Promise<void>;

const listeners = new Set<Listener>();

export function onProvisioningChange(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * Resolves once every directory has re-read (or failed to: a directory that fails keeps its last view,
 * reports the failure itself and retries on its timer), never rejects. An admin route awaits it, so a
 * disabled device is refused by this process's gateways before the change is answered.
 */
export function notifyProvisioningChange(): Promise<void> {
  const reloads: unknown[] = [];
  for (const fn of listeners) {
    try {
      reloads.push(fn());
    } catch {
      // A listener that throws at once is no different from one whose reload fails.
    }
  }
  return Promise.allSettled(reloads).then(() => {});
}
