import { SOURCE_LABELS, type IncidentSource } from '../domain/enums';
import type { Lang } from './unit-label';

/**
 * Who did something, in words: the timeline and the audit log store an actor as a username or a machine
 * actor (`ingest:<source>`, `simulator`, `system`, `cli`, `display:<token name>`), and people read names.
 */
const MACHINE_ACTORS: Record<string, { zh: string; en: string }> = {
  simulator: { zh: '模拟数据源', en: 'Simulator' },
  system: { zh: '系统', en: 'System' },
  cli: { zh: '命令行', en: 'Command line' },
};

/** A user's display name by username (null or undefined when the user has none or is unknown). */
export type DisplayNameOf = (username: string) => string | null | undefined;

export function actorLabel(
  actor: string,
  displayNameOf: DisplayNameOf = () => null,
  lang: Lang = 'zh',
): string {
  const machine = MACHINE_ACTORS[actor];
  if (machine) return machine[lang];
  if (actor.startsWith('ingest:')) {
    const source = SOURCE_LABELS[actor.slice('ingest:'.length) as IncidentSource];
    // "110警情接入" / "110 police intake"; an unknown source keeps its code so nothing is hidden.
    return source
      ? lang === 'zh'
        ? `${source.zh}接入`
        : `${source.en} intake`
      : lang === 'zh'
        ? `数据接入 ${actor.slice(7)}`
        : `Intake ${actor.slice(7)}`;
  }
  if (actor.startsWith('display:'))
    return lang === 'zh' ? `显示屏 ${actor.slice(8)}` : `Display ${actor.slice(8)}`;
  const display = displayNameOf(actor)?.trim();
  return display || actor;
}
