import type { ReactNode } from 'react';
import { NO_SPEED_COLOR, SPEED_BANDS } from '@/lib/history/track-view';
import type { Lang } from '@/lib/wall/i18n';
import type { Rgba } from '@/lib/wall/palette';
import { tw } from './track-words';
import css from './track.module.css';

const rgb = (c: Rgba) => `rgb(${c[0]} ${c[1]} ${c[2]})`;

/** The speed bands the track is coloured by, as the track and the playback route both show them. */
export function SpeedLegend({ lang, lead, tail }: { lang: Lang; lead?: ReactNode; tail?: ReactNode }) {
  return (
    <div className={css.legend} aria-label={tw('speed', lang)}>
      {lead}
      {SPEED_BANDS.map((b) => (
        <i key={b.min}>
          <b style={{ background: rgb(b.color) }} />
          {b[lang]}
        </i>
      ))}
      <i>
        <b style={{ background: rgb(NO_SPEED_COLOR) }} />
        {tw('noSpeed', lang)}
      </i>
      {tail}
    </div>
  );
}
