'use client';

import { useState } from 'react';
import {
  DEFAULT_REPLAY_SPEED,
  parseZonedInput,
  periodProblem,
  presetPeriod,
  zonedInputValue,
  type ReplayPeriod,
  type ReplayUrlState,
} from '@/lib/history/replay-model';
import type { Lang } from '@/lib/wall/i18n';
import { rt, type ReplayWordKey } from './replay-words';
import styles from './replay.module.css';

const PROBLEM_WORD = { order: 'errOrder', span: 'errSpan', future: 'errFuture' } as const satisfies Record<
  string,
  ReplayWordKey
>;
const HOUR_MS = 3_600_000;

/** Picks the period to replay: 今日至今, 昨日, or a custom from–to in the display zone. */
export function ReplayPicker({
  tz,
  lang,
  onStart,
  onCancel,
}: {
  tz: string;
  lang: Lang;
  onStart: (s: ReplayUrlState) => void;
  onCancel: () => void;
}) {
  const [now] = useState(() => Date.now());
  const [from, setFrom] = useState(() => zonedInputValue(now - 2 * HOUR_MS, tz));
  const [to, setTo] = useState(() => zonedInputValue(now, tz));
  const [problem, setProblem] = useState<ReplayWordKey | null>(null);
  const begin = (p: ReplayPeriod) => {
    const why = periodProblem(p, Date.now());
    if (why) return setProblem(PROBLEM_WORD[why]);
    onStart({ ...p, at: p.from, speed: DEFAULT_REPLAY_SPEED });
  };
  const custom = () => {
    const a = parseZonedInput(from, tz);
    const b = parseZonedInput(to, tz);
    if (a === null || b === null) return setProblem('errOrder');
    begin({ from: a, to: Math.min(b, Date.now()) });
  };
  return (
    <div
      className={styles.picker}
      role="dialog"
      aria-label={rt('replayTitle', lang)}
      data-testid="replay-picker"
    >
      <h2>{rt('replayTitle', lang)}</h2>
      <div className={styles.presets}>
        <button onClick={() => begin(presetPeriod('today', Date.now(), tz))} data-testid="replay-today">
          {rt('today', lang)}
        </button>
        <button
          onClick={() => begin(presetPeriod('yesterday', Date.now(), tz))}
          data-testid="replay-yesterday"
        >
          {rt('yesterday', lang)}
        </button>
      </div>
      <fieldset className={styles.custom}>
        <legend>{rt('custom', lang)}</legend>
        <label>
          {rt('from', lang)}
          <input
            type="datetime-local"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
            data-testid="replay-from"
          />
        </label>
        <label>
          {rt('to', lang)}
          <input
            type="datetime-local"
            value={to}
            onChange={(e) => setTo(e.target.value)}
            data-testid="replay-to"
          />
        </label>
      </fieldset>
      {problem ? (
        <p className={styles.problem} role="alert">
          {rt(problem, lang)}
        </p>
      ) : null}
      <div className={styles.actions}>
        <button className={styles.primary} onClick={custom} data-testid="replay-start">
          {rt('start', lang)}
        </button>
        <button onClick={onCancel}>{rt('cancel', lang)}</button>
      </div>
    </div>
  );
}
