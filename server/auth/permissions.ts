import type { Principal, Role } from '../http/router';
import type { ClientToServerEvents } from '@/lib/realtime/contract';

/**
 * Which roles may send each Socket.IO event (the HTTP routes check theirs with `authorize`). An event not
 * listed here is refused: adding one to the contract means deciding who may use it.
 */
export const SOCKET_EVENT_ROLES: Record<keyof ClientToServerEvents, readonly Role[]> = {
  'wall:subscribe': ['admin', 'leader', 'dispatcher', 'duty'],
  'wall:resync': ['admin', 'leader', 'dispatcher', 'duty'],
};

export function canUseSocketEvent(principal: Principal | null, event: string): boolean {
  if (!principal) return false;
  const roles = (SOCKET_EVENT_ROLES as Record<string, readonly Role[] | undefined>)[event];
  return roles !== undefined && roles.includes(principal.role);
}
