/**
 * Town cards for wide splice walls: one card per child region of the wall's scope (the towns of a district,
 * the communities of a town…) with what a duty officer scans for, plus the cameras that are down by name.
 * Served by GET /api/wall/town-cards?region= (server/stats/town-cards.ts); the wall validates it here.
 */
import { z } from 'zod';

/** Cards and offline cameras kept per answer: a splice wall shows at most this many. */
export const TOWN_CARDS_MAX = 24;
export const OFFLINE_CAMERAS_MAX = 40;

export const TownCardSchema = z.object({
  code: z.string(),
  name: z.string(),
  /** Open incidents now, of which past their time limit (red lamp) and 特急. */
  open: z.number().int().nonnegative(),
  overdue: z.number().int().nonnegative(),
  critical: z.number().int().nonnegative(),
  cameras: z.object({
    total: z.number().int().nonnegative(),
    online: z.number().int().nonnegative(),
    offline: z.number().int().nonnegative(),
    fault: z.number().int().nonnegative(),
  }),
  /** Patrol units inside the region's box now, and of those on duty (reporting, not offline). */
  units: z.object({ total: z.number().int().nonnegative(), onDuty: z.number().int().nonnegative() }),
});
export type TownCard = z.infer<typeof TownCardSchema>;

export const TownCardsSchema = z.object({
  at: z.number(),
  regionCode: z.string().nullable(),
  /** Most open first, then most overdue. */
  cards: z.array(TownCardSchema),
  /** Cameras down (offline, fault, or silent past their stale limit), by name; faults first. */
  offlineCameras: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      status: z.enum(['offline', 'fault', 'stale']),
      regionName: z.string().nullable(),
    }),
  ),
  /** How many cameras are down in all (the list above is bounded). */
  offlineTotal: z.number().int().nonnegative(),
});
export type TownCards = z.infer<typeof TownCardsSchema>;

export function parseTownCards(raw: unknown): TownCards | null {
  const r = TownCardsSchema.safeParse(raw);
  return r.success ? r.data : null;
}
