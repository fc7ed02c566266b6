'use client';

import { useEffect, useState, type ReactNode } from 'react';
import styles from './wall.module.css';

/** The design canvas (DESIGN: a 1920×1080 design, scaled with its aspect kept). */
export const DESIGN_W = 1920;
export const DESIGN_H = 1080;
/** Briefing mode designs on a smaller canvas, so everything reads ~20 % larger. */
const BRIEFING_W = 1600;
const BRIEFING_H = 900;

export interface StageSize {
  /** Screen pixels per design pixel. */
  scale: number;
  /** The stage in design pixels: at least the design canvas; a wider wall gets a wider stage (and map). */
  width: number;
  height: number;
}

export function stageSize(screenW: number, screenH: number, isBriefing: boolean): StageSize {
  const dw = isBriefing ? BRIEFING_W : DESIGN_W;
  const dh = isBriefing ? BRIEFING_H : DESIGN_H;
  const scale = Math.min(screenW / dw, screenH / dh);
  return { scale, width: screenW / scale, height: screenH / scale };
}

export function useStageSize(isBriefing: boolean): StageSize {
  const [size, setSize] = useState<StageSize>(() => stageSize(DESIGN_W, DESIGN_H, isBriefing));
  useEffect(() => {
    const update = () => setSize(stageSize(window.innerWidth, window.innerHeight, isBriefing));
    update();
    window.addEventListener('resize', update);
    return () => window.removeEventListener('resize', update);
  }, [isBriefing]);
  return size;
}

/**
 * The panels' layer: laid out in design pixels and scaled as a whole (text never stretches), above the map,
 * which stays at native resolution underneath (sharp on an 8K splice wall).
 */
export function Stage({
  size,
  vars,
  children,
}: {
  size: StageSize;
  /** CSS custom properties for the children (the map's edges, for banners and controls that follow it). */
  vars?: Record<`--${string}`, string>;
  children: ReactNode;
}) {
  return (
    <div
      className={styles.stage}
      style={{ ...vars, width: size.width, height: size.height, transform: `scale(${size.scale})` }}
      data-testid="wall-stage"
    >
      {children}
    </div>
  );
}
