/** A picture the page can show as a thumbnail and open full size (a field photo, an alarm's snapshot). */
export interface Photo {
  /** Stable across re-reads (the content hash; `snapshot` for the alarm's picture). */
  key: string;
  src: string;
  thumbSrc: string;
  /** What it is, in the page's language (现场照片, 告警抓拍). */
  label: string;
  /** Who added it and when, for the full-size view. */
  caption?: string;
  /** A word on the thumbnail itself, where the kind matters at a glance (告警抓拍 vs a field photo). */
  badge?: string;
  testId?: string;
}
