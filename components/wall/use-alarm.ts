'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { IncidentView } from '@/lib/domain/incident';

/** Unacknowledged alarms kept (bounded: a storm of 特急 incidents must not grow memory). */
export const ALARM_MAX = 20;
/** Priorities that raise the banner (特急, 紧急); only 特急 sounds the tone. */
export const ALARM_MAX_PRIORITY = 2;
/** Acknowledged ids remembered so a resent incident does not ring again (bounded like the queue). */
const ACKED_MAX = 200;
/** While an alarm is unacknowledged the tone repeats this often. */
const ALARM_REPEAT_MS = 5_000;

/**
 * The 特急/紧急 alarm: a banner per new incident until a person acknowledges it, and for 特急 a tone.
 * Browsers forbid sound before a user gesture, so one click anywhere arms it (and the wall says plainly while
 * it is not armed). The tone is synthesised with WebAudio: no sound file to fetch. `isEnabled` false (a
 * replay of the past) raises nothing: old news must not ring.
 */
export function useAlarm(isEnabled = true) {
  const ctxRef = useRef<AudioContext | null>(null);
  const [isArmed, setIsArmed] = useState(false);
  const [pending, setPending] = useState<IncidentView[]>([]);
  const ackedRef = useRef<Set<string>>(new Set());
  const enabledRef = useRef(isEnabled);
  enabledRef.current = isEnabled;

  useEffect(() => {
    const arm = () => {
      try {
        ctxRef.current ??= new AudioContext();
        void ctxRef.current.resume().then(() => setIsArmed(ctxRef.current?.state === 'running'));
      } catch {
        setIsArmed(false);
      }
    };
    window.addEventListener('pointerdown', arm);
    window.addEventListener('keydown', arm);
    return () => {
      window.removeEventListener('pointerdown', arm);
      window.removeEventListener('keydown', arm);
      void ctxRef.current?.close();
      ctxRef.current = null;
    };
  }, []);

  const tone = useCallback(() => {
    const ctx = ctxRef.current;
    if (!ctx || ctx.state !== 'running') return;
    // A two-tone siren: 880/660 Hz, four beeps, ~1.6 s.
    const t0 = ctx.currentTime;
    for (let k = 0; k < 4; k++) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'square';
      osc.frequency.value = k % 2 === 0 ? 880 : 660;
      gain.gain.setValueAtTime(0.0001, t0 + k * 0.4);
      gain.gain.exponentialRampToValueAtTime(0.25, t0 + k * 0.4 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + k * 0.4 + 0.36);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t0 + k * 0.4);
      osc.stop(t0 + k * 0.4 + 0.38);
    }
  }, []);

  const raise = useCallback(
    (incidents: IncidentView[]) => {
      if (!enabledRef.current) return;
      const news = incidents.filter((i) => i.priority <= ALARM_MAX_PRIORITY && !ackedRef.current.has(i.id));
      if (news.length === 0) return;
      setPending((p) => [...news.filter((i) => !p.some((q) => q.id === i.id)), ...p].slice(0, ALARM_MAX));
      if (news.some((i) => i.priority === 1)) tone();
    },
    [tone],
  );

  const hasCritical = pending.some((i) => i.priority === 1);
  useEffect(() => {
    if (!hasCritical) return;
    const id = setInterval(tone, ALARM_REPEAT_MS);
    return () => clearInterval(id);
  }, [hasCritical, tone]);

  const acknowledge = useCallback((id?: string) => {
    setPending((p) => {
      const acked = ackedRef.current;
      for (const i of p) if (!id || i.id === id) acked.add(i.id);
      // Oldest first out: a Set iterates in insertion order.
      for (const old of acked) {
        if (acked.size <= ACKED_MAX) break;
        acked.delete(old);
      }
      return id ? p.filter((i) => i.id !== id) : [];
    });
  }, []);

  return { isArmed, pending, raise, acknowledge };
}
