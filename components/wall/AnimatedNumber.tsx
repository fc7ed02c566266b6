'use client';

import { useEffect, useRef, useState } from 'react';

/** How long a number takes to roll to its new value. */
const ROLL_MS = 800;

/**
 * A number that rolls to its new value (ease-out). Its width is fixed by tabular digits and a minimum
 * character count, so a change never shifts the layout around it.
 */
export function AnimatedNumber({
  value,
  digits = 0,
  suffix = '',
  minChars = 3,
}: {
  value: number | null;
  digits?: number;
  suffix?: string;
  minChars?: number;
}) {
  const [shown, setShown] = useState(value ?? 0);
  const from = useRef(value ?? 0);
  useEffect(() => {
    if (value === null) return;
    const start = performance.now();
    const a = from.current;
    let raf = 0;
    const step = (t: number) => {
      const k = Math.min(1, (t - start) / ROLL_MS);
      const v = a + (value - a) * (1 - (1 - k) ** 3);
      setShown(v);
      if (k < 1) raf = requestAnimationFrame(step);
      else from.current = value;
    };
    raf = requestAnimationFrame(step);
    return () => {
      cancelAnimationFrame(raf);
      from.current = value;
    };
  }, [value]);
  const text = value === null ? '—' : `${shown.toFixed(digits)}${suffix}`;
  return (
    <span
      style={{
        fontVariantNumeric: 'tabular-nums',
        display: 'inline-block',
        minWidth: `${minChars}ch`,
        textAlign: 'right',
      }}
    >
      {text}
    </span>
  );
}
