import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { WallScreen } from '@/components/wall/WallScreen';
import { ActivityPing } from '@/components/account/use-activity-ping';

export const metadata: Metadata = { title: '平安大屏 · 综治中心' };

/**
 * The wall lives in the layout, not the pages: moving between /wall and /wall/[regionCode] keeps one live
 * connection and one map (the connection is re-scoped), instead of tearing the screen down per drill-down.
 */
export default function WallLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <WallScreen />
      {/* A leader at a signed-in wall keeps the session by using it; a duty wall needs nothing (no idle limit). */}
      <ActivityPing />
      {children}
    </>
  );
}
