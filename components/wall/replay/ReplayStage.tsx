'use client';

import type { Lang } from '@/lib/wall/i18n';
import { ReplayBar } from './ReplayBar';
import { ReplayPanels } from './ReplayPanels';
import { ReplayPicker } from './ReplayPicker';
import { useReplayAt, type Replay } from './use-replay';
import styles from './replay.module.css';

interface Span {
  x: number;
  w: number;
}

/** The amber frame around the whole screen while replaying (outside the scaled stage, over the map). */
export function ReplayFrame({ replay }: { replay: Replay }) {
  return replay.isReplaying ? <div className={styles.frame} data-testid="replay-frame" /> : null;
}

/**
 * Everything replay adds on the wall's stage: the period picker, and while replaying the banner with its
 * controls and the period's panels in place of the live columns (which WallScreen hides, not unmounts).
 */
export function ReplayStage({
  replay,
  left,
  right,
  top,
  height,
  tz,
  lang,
  onOpenIncident,
}: {
  replay: Replay;
  left: Span;
  right: Span;
  top: number;
  height: number;
  tz: string;
  lang: Lang;
  onOpenIncident: (id: string) => void;
}) {
  const { controller, snapshot } = replay;
  const at = useReplayAt(controller, replay.isReplaying);
  const clock = snapshot.clock;
  return (
    <>
      {replay.isPicking ? (
        <ReplayPicker
          tz={tz}
          lang={lang}
          onStart={(s) => replay.start(s)}
          onCancel={() => replay.pick(false)}
        />
      ) : null}
      {clock ? (
        <>
          <ReplayPanels
            incidents={snapshot.incidents}
            from={clock.from}
            at={at}
            left={left}
            right={right}
            top={top}
            height={height}
            tz={tz}
            lang={lang}
            onOpen={onOpenIncident}
          />
          <ReplayBar
            controller={controller}
            clock={clock}
            at={at}
            incidents={snapshot.incidents}
            isLoading={snapshot.isLoading}
            error={snapshot.error}
            tz={tz}
            lang={lang}
            onLive={replay.stop}
          />
        </>
      ) : null}
    </>
  );
}
