import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { REGISTER_RESULT } from './registration';
import type { AuthBinding, RegisterDecision } from './session';
import { authCodeMatches, type TerminalLookup } from './terminal-directory';

/** Auto-registration auth codes are this many hex characters of HMAC(secret, phone). */
const AUTH_CODE_HEX_CHARS = 16;
/** The credential of a connection that authenticated with a derived (auto-registration) code. */
export const AUTO_CREDENTIAL = 'auto:';

export interface TerminalAuthority {
  register(phone: string): RegisterDecision;
  authenticate(phone: string, code: string | undefined): AuthBinding | { refused: string };
}

/**
 * Who may register and authenticate, from the provisioned terminals (and, with auto-registration, codes
 * derived from a secret for everyone else). Pure apart from the lookup: the gateway and the fuzz tests
 * share it.
 */
export function createTerminalAuthority(opts: {
  terminals?: TerminalLookup;
  autoRegister: boolean;
  authSecret?: string;
}): TerminalAuthority {
  const secret = opts.authSecret ?? randomBytes(32).toString('hex');
  const lookup = (phone: string) => opts.terminals?.lookup(phone);
  const derivedCode = (phone: string) =>
    createHmac('sha256', secret).update(phone).digest('hex').slice(0, AUTH_CODE_HEX_CHARS);

  /**
   * 0x0100. A provisioned terminal was given its own code by the installer (the platform keeps only its
   * hash, so it cannot hand it out again): it is told it is already registered (3) and authenticates with
   * that code. An unknown phone is told the database has no such terminal (4), a disabled vehicle that it
   * has no such vehicle (2), and both are hung up on. Auto-registration answers any other phone with a
   * derived code.
   */
  const register = (phone: string): RegisterDecision => {
    const entry = lookup(phone);
    if (entry?.isDisabled)
      return { result: REGISTER_RESULT.noVehicle, close: true, reason: 'vehicle_disabled' };
    if (entry?.authHash)
      return { result: REGISTER_RESULT.terminalTaken, close: false, reason: 'provisioned' };
    if (opts.autoRegister) return { result: REGISTER_RESULT.ok, authCode: derivedCode(phone), close: false };
    return { result: REGISTER_RESULT.noTerminal, close: true, reason: 'unknown_terminal' };
  };

  /** 0x0102: the provisioned code's hash, or (auto-registration) the derived code. */
  const authenticate = (phone: string, code: string | undefined): AuthBinding | { refused: string } => {
    if (code === undefined) return { refused: 'auth_failed' };
    const entry = lookup(phone);
    if (entry?.isDisabled) return { refused: 'vehicle_disabled' };
    if (entry?.authHash) {
      return authCodeMatches(code, entry.authHash)
        ? { vehicleId: entry.vehicleId, credential: entry.authHash }
        : { refused: 'auth_failed' };
    }
    if (!opts.autoRegister) return { refused: entry ? 'auth_failed' : 'unknown_terminal' };
    const expected = Buffer.from(derivedCode(phone), 'latin1');
    const given = Buffer.from(code, 'latin1');
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      return { refused: 'auth_failed' };
    return { vehicleId: entry?.vehicleId ?? phone, credential: AUTO_CREDENTIAL };
  };

  return { register, authenticate };
}
