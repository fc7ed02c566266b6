'use client';

import { newIntakeKey } from '@/lib/dispatch/intake-key';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import {
  CATEGORY_LABELS,
  INCIDENT_CATEGORIES,
  INCIDENT_SOURCES,
  PRIORITIES,
  PRIORITY_LABELS,
  SOURCE_LABELS,
  type IncidentCategory,
  type IncidentSource,
  type Priority,
} from '@/lib/domain/enums';
import type { Lang } from '@/lib/wall/i18n';
import { useLang } from '../i18n/use-lang';
import styles from './dispatch.module.css';

export interface LngLat {
  lng: number;
  lat: number;
}

interface Props {
  /** A position chosen elsewhere (a click on the console map); fills the coordinate fields when it changes. */
  position: LngLat | null;
  /** Asks for the next map click; absent when no map pick is available (typed coordinates only). */
  onPickOnMap?: () => void;
  isPicking?: boolean;
  onCreated(id: string): void;
  onCancel(): void;
}

const FIELD_LABELS: Record<string, { zh: string; en: string }> = {
  category: { zh: '类别', en: 'Category' },
  priority: { zh: '紧急程度', en: 'Priority' },
  source: { zh: '来源', en: 'Source' },
  title: { zh: '标题', en: 'Title' },
  detail: { zh: '详情', en: 'Details' },
  address: { zh: '地址', en: 'Address' },
  reporter: { zh: '报警人', en: 'Caller' },
  phone: { zh: '联系电话', en: 'Phone' },
  lng: { zh: '经度', en: 'Longitude' },
  lat: { zh: '纬度', en: 'Latitude' },
  reportedAt: { zh: '报警时间', en: 'Call time' },
  body: { zh: '表单', en: 'Form' },
};
const fieldLabel = (field: string, lang: Lang) => FIELD_LABELS[field]?.[lang] ?? field;

/** The form's own words, Chinese first. */
const WORDS = {
  pickCategory: { zh: '请选择类别', en: 'Choose a category' },
  fillTitle: { zh: '请填写标题', en: 'Enter a title' },
  badLng: {
    zh: '经度应为 -180 至 180 的数字（可在地图上点选）',
    en: 'Longitude must be a number from -180 to 180 (or pick it on the map)',
  },
  badLat: { zh: '纬度应为 -90 至 90 的数字', en: 'Latitude must be a number from -90 to 90' },
  failed: { zh: '登记失败 ({n})', en: 'Logging failed ({n})' },
  network: {
    zh: '网络异常，登记未完成，请重试（不会重复登记）',
    en: 'Network error: not logged. Try again (it will not be logged twice)',
  },
  form: { zh: '接警登记', en: 'Log a call' },
  choose: { zh: '请选择', en: 'Choose' },
  titleExample: { zh: '如：工地拖欠农民工工资', en: 'e.g. Construction site owes workers wages' },
  picking: { zh: '请在地图上点击事发位置…', en: 'Click the incident location on the map…' },
  pick: { zh: '在地图上点选位置', en: 'Pick the location on the map' },
  check: { zh: '请检查：', en: 'Please check: ' },
  listSep: { zh: '、', en: ', ' },
  fieldSep: { zh: '：', en: ': ' },
  sending: { zh: '登记中…', en: 'Logging…' },
  submit: { zh: '登记', en: 'Log call' },
  cancel: { zh: '取消', en: 'Cancel' },
} as const;
const wd = (key: keyof typeof WORDS, lang: Lang, n?: number) =>
  WORDS[key][lang].replace('{n}', String(n ?? ''));

/** Fields the form shows (their errors sit beside their labels); anything else is said below the form. */
const FORM_FIELDS = new Set([
  'category',
  'priority',
  'source',
  'title',
  'detail',
  'address',
  'reporter',
  'phone',
  'lng',
  'lat',
]);

interface FieldError {
  field: string;
  message: string;
}

/** What the server would refuse, said in the page language before the request is sent. */
function checkForm(
  f: { category: string; title: string; lng: string; lat: string },
  lang: Lang,
): FieldError[] {
  const errors: FieldError[] = [];
  if (!f.category) errors.push({ field: 'category', message: wd('pickCategory', lang) });
  if (!f.title.trim()) errors.push({ field: 'title', message: wd('fillTitle', lang) });
  const lng = Number(f.lng);
  const lat = Number(f.lat);
  if (f.lng.trim() === '' || !Number.isFinite(lng) || lng < -180 || lng > 180)
    errors.push({ field: 'lng', message: wd('badLng', lang) });
  if (f.lat.trim() === '' || !Number.isFinite(lat) || lat < -90 || lat > 90)
    errors.push({ field: 'lat', message: wd('badLat', lang) });
  return errors;
}

function newDeskId(): string {
  return newIntakeKey(crypto.randomUUID());
}

/**
 * 接警登记: a dispatcher logs a call by hand. The form's id is made when it opens and sent with every submit,
 * so a retried submit (slow network, double click) logs one incident, not two. The new incident reaches the
 * queue and every wall through the normal ingest path.
 */
export function IntakeForm({ position, onPickOnMap, isPicking, onCreated, onCancel }: Props) {
  const deskId = useMemo(newDeskId, []);
  const [category, setCategory] = useState<IncidentCategory | ''>('');
  const [priority, setPriority] = useState<Priority>(3);
  const [source, setSource] = useState<IncidentSource>('hotline_12345');
  const [title, setTitle] = useState('');
  const [detail, setDetail] = useState('');
  const [address, setAddress] = useState('');
  const [reporter, setReporter] = useState('');
  const [phone, setPhone] = useState('');
  const [lng, setLng] = useState('');
  const [lat, setLat] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [isSending, setIsSending] = useState(false);
  const [lang] = useLang();

  useEffect(() => {
    if (!position) return;
    setLng(position.lng.toFixed(6));
    setLat(position.lat.toFixed(6));
  }, [position]);

  const errorOf = (field: string) => errors.find((e) => e.field === field)?.message;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const local = checkForm({ category, title, lng, lat }, lang);
    setErrors(local);
    if (local.length > 0) return;
    setIsSending(true);
    try {
      const body = {
        id: deskId,
        category,
        priority,
        source,
        title: title.trim(),
        detail: detail.trim() || undefined,
        address: address.trim() || undefined,
        reporter: reporter.trim() || undefined,
        phone: phone.trim() || undefined,
        lng: Number(lng),
        lat: Number(lat),
      };
      const res = await fetch('/api/incidents', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        credentials: 'same-origin',
      });
      const data = (await res.json().catch(() => ({}))) as {
        id?: string;
        error?: string;
        details?: { fields?: FieldError[] };
      };
      if (res.ok && data.id) {
        onCreated(data.id);
        return;
      }
      setErrors(
        data.details?.fields?.length
          ? data.details.fields
          : [{ field: 'body', message: data.error ?? wd('failed', lang, res.status) }],
      );
    } catch {
      setErrors([{ field: 'body', message: wd('network', lang) }]);
    } finally {
      setIsSending(false);
    }
  };

  const label = (field: string, text: string, isRequired = false) => (
    <span className={isRequired ? styles.required : undefined}>
      {text}
      {errorOf(field) && <span className={styles.fieldError}> {errorOf(field)}</span>}
    </span>
  );

  return (
    <form
      className={styles.intake}
      onSubmit={(e) => void submit(e)}
      aria-label={wd('form', lang)}
      data-testid="intake-form"
    >
      <div className={styles.sectionTitle}>{wd('form', lang)}</div>
      <div className={styles.intakeGrid}>
        <label className={styles.field}>
          {label('category', fieldLabel('category', lang), true)}
          <select
            className={styles.select}
            value={category}
            onChange={(e) => setCategory(e.target.value as IncidentCategory | '')}
            data-testid="intake-category"
          >
            <option value="">{wd('choose', lang)}</option>
            {INCIDENT_CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {CATEGORY_LABELS[c][lang]}
              </option>
            ))}
          </select>
        </label>
        <label className={styles.field}>
          {label('priority', fieldLabel('priority', lang), true)}
          <select
            className={styles.select}
            value={priority}
            onChange={(e) => setPriority(Number(e.target.value) as Priority)}
            data-testid="intake-priority"
          >
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {PRIORITY_LABELS[p][lang]}
              </option>
            ))}
          </select>
        </label>
        <label className={`${styles.field} ${styles.span2}`}>
          {label('source', fieldLabel('source', lang))}
          <select
            className={styles.select}
            value={source}
            onChange={(e) => setSource(e.target.value as IncidentSource)}
          >
            {INCIDENT_SOURCES.map((s) => (
              <option key={s} value={s}>
                {SOURCE_LABELS[s][lang]}
              </option>
            ))}
          </select>
        </label>
        <label className={`${styles.field} ${styles.span4}`}>
          {label('title', fieldLabel('title', lang), true)}
          <input
            className={styles.input}
            value={title}
            maxLength={200}
            placeholder={wd('titleExample', lang)}
            onChange={(e) => setTitle(e.target.value)}
            data-testid="intake-title"
          />
        </label>
        <label className={`${styles.field} ${styles.span4}`}>
          {label('detail', fieldLabel('detail', lang))}
          <textarea
            className={styles.textarea}
            value={detail}
            maxLength={4000}
            onChange={(e) => setDetail(e.target.value)}
          />
        </label>
        <label className={`${styles.field} ${styles.span4}`}>
          {label('address', fieldLabel('address', lang))}
          <input
            className={styles.input}
            value={address}
            maxLength={200}
            onChange={(e) => setAddress(e.target.value)}
            data-testid="intake-address"
          />
        </label>
        <label className={`${styles.field} ${styles.span2}`}>
          {label('reporter', fieldLabel('reporter', lang))}
          <input
            className={styles.input}
            value={reporter}
            maxLength={64}
            onChange={(e) => setReporter(e.target.value)}
          />
        </label>
        <label className={`${styles.field} ${styles.span2}`}>
          {label('phone', fieldLabel('phone', lang))}
          <input
            className={styles.input}
            value={phone}
            maxLength={32}
            inputMode="tel"
            onChange={(e) => setPhone(e.target.value)}
          />
        </label>
        <label className={styles.field}>
          {label('lng', fieldLabel('lng', lang), true)}
          <input
            className={styles.input}
            value={lng}
            inputMode="decimal"
            placeholder="104.06"
            onChange={(e) => setLng(e.target.value)}
            data-testid="intake-lng"
          />
        </label>
        <label className={styles.field}>
          {label('lat', fieldLabel('lat', lang), true)}
          <input
            className={styles.input}
            value={lat}
            inputMode="decimal"
            placeholder="30.66"
            onChange={(e) => setLat(e.target.value)}
            data-testid="intake-lat"
          />
        </label>
        <div className={`${styles.field} ${styles.span2}`} style={{ justifyContent: 'flex-end' }}>
          {onPickOnMap && (
            <button
              type="button"
              className={`${styles.button} ${isPicking ? styles.picking : ''}`}
              onClick={onPickOnMap}
              data-testid="intake-pick"
            >
              {isPicking ? wd('picking', lang) : wd('pick', lang)}
            </button>
          )}
        </div>
      </div>
      {errors
        .filter((e) => !FORM_FIELDS.has(e.field))
        .map((e) => (
          <div key={`${e.field}:${e.message}`} className={styles.error} role="alert">
            {fieldLabel(e.field, lang)}
            {wd('fieldSep', lang)}
            {e.message}
          </div>
        ))}
      {errors.some((e) => FORM_FIELDS.has(e.field)) && (
        <div className={styles.error} role="alert" data-testid="intake-errors">
          {wd('check', lang)}
          {[
            ...new Set(errors.filter((e) => FORM_FIELDS.has(e.field)).map((e) => fieldLabel(e.field, lang))),
          ].join(wd('listSep', lang))}
        </div>
      )}
      <div className={styles.actions}>
        <button
          type="submit"
          className={`${styles.button} ${styles.buttonPrimary}`}
          disabled={isSending}
          data-testid="intake-submit"
        >
          {isSending ? wd('sending', lang) : wd('submit', lang)}
        </button>
        <button type="button" className={styles.button} onClick={onCancel}>
          {wd('cancel', lang)}
        </button>
      </div>
    </form>
  );
}
