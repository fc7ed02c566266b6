/**
 * The system of record on PostgreSQL: the same tables, columns, indexes and unique partial index as the
 * SQLite schema (../schema.ts), which stays the reference; schema.test.ts compares the two table by table
 * and column by column so they cannot drift apart. Change both together, then generate a migration for
 * each: `npm run db:generate` and `npm run db:generate:pg` (into drizzle-pg/).
 *
 * What differs, and why:
 * - Times stay UTC epoch milliseconds, as `bigint` read as a JS number: every module and the wire speak
 *   epoch ms, and the audit chain hashes `at` exactly as stored, so a `timestamptz` would have to be turned
 *   back into the same integer on every read for nothing.
 * - SQLite's 0/1 flags are `boolean`; blobs are `bytea`; floats are `double precision`.
 * - JSON that is only ever parsed (department categories, timeline data) is `jsonb`, so PostgreSQL
 *   refuses malformed JSON. JSON whose exact text matters stays `text`: the audit log's before/after are
 *   hashed byte for byte (jsonb would re-order keys and break the chain), a 12345 callback body is sent
 *   as stored, and `meta` values are not all JSON.
 * - Auto-increment ids are identity columns; the ids of the two tables that grow with activity
 *   (incident_events, audit_log) are `bigint`.
 * - SQLite's WITHOUT ROWID tables (history) are plain tables with their primary key: PostgreSQL has no
 *   clustered storage to ask for.
 * - The audit log's append-only triggers and its serialised appends are hand-written SQL in drizzle-pg/
 *   (drizzle cannot express triggers).
 * There are no CHECK constraints on either side: drizzle's text enums are TypeScript types only, and a
 * check here that SQLite lacks would refuse rows the product has already accepted.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

/** UTC epoch milliseconds (up to 2^53: a JS number holds it exactly). */
const epochMs = (name: string) => bigint(name, { mode: 'number' });

const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/** Administrative hierarchy: city → district → town → community (grids are in `grids`). */
export const regions = pgTable(
  'regions',
  {
    code: text('code').primaryKey(),
    parentCode: text('parent_code'),
    level: text('level', { enum: ['city', 'district', 'town', 'community'] }).notNull(),
    name: text('name').notNull(),
    geometry: text('geometry'),
    centerLng: doublePrecision('center_lng'),
    centerLat: doublePrecision('center_lat'),
  },
  (t) => [index('regions_parent_idx').on(t.parentCode)],
);

export const grids = pgTable(
  'grids',
  {
    code: text('code').primaryKey(),
    communityCode: text('community_code').notNull(),
    name: text('name').notNull(),
    geometry: text('geometry').notNull(),
    centerLng: doublePrecision('center_lng').notNull(),
    centerLat: doublePrecision('center_lat').notNull(),
  },
  (t) => [index('grids_community_idx').on(t.communityCode)],
);

export const departments = pgTable('departments', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind').notNull(),
  regionCode: text('region_code'),
  categories: jsonb('categories').$type<string[]>().notNull().default([]),
  phone: text('phone'),
});

export const vehicles = pgTable(
  'vehicles',
  {
    id: text('id').primaryKey(),
    name: text('name'),
    kind: text('kind'),
    departmentId: text('department_id'),
    terminalPhone: text('terminal_phone'),
    plate: text('plate'),
    terminalAuthHash: text('terminal_auth_hash'),
    disabledAt: epochMs('disabled_at'),
    isUnassigned: boolean('is_unassigned').notNull().default(false),
    createdAt: epochMs('created_at').notNull(),
  },
  (t) => [uniqueIndex('vehicles_terminal_idx').on(t.terminalPhone)],
);

export const cameras = pgTable(
  'cameras',
  {
    id: text('id').primaryKey(),
    name: text('name'),
    lng: doublePrecision('lng'),
    lat: doublePrecision('lat'),
    gridCode: text('grid_code'),
    program: text('program'),
    streamUrl: text('stream_url'),
    regionCode: text('region_code'),
    disabledAt: epochMs('disabled_at'),
    isUnassigned: boolean('is_unassigned').notNull().default(false),
    createdAt: epochMs('created_at').notNull(),
  },
  (t) => [index('cameras_grid_idx').on(t.gridCode)],
);

export const workers = pgTable(
  'workers',
  {
    id: text('id').primaryKey(),
    name: text('name'),
    role: text('role'),
    gridCode: text('grid_code'),
    phone: text('phone'),
    isUnassigned: boolean('is_unassigned').notNull().default(false),
    disabledAt: epochMs('disabled_at'),
    createdAt: epochMs('created_at').notNull(),
  },
  (t) => [index('workers_grid_idx').on(t.gridCode)],
);

export const incidents = pgTable(
  'incidents',
  {
    id: text('id').primaryKey(),
    sourceRef: text('source_ref'),
    category: text('category').notNull(),
    title: text('title').notNull(),
    detail: text('detail'),
    lng: doublePrecision('lng').notNull(),
    lat: doublePrecision('lat').notNull(),
    priority: integer('priority').notNull(),
    source: text('source').notNull(),
    reportedAt: epochMs('reported_at').notNull(),
    receivedAt: epochMs('received_at').notNull(),
    address: text('address'),
    reporter: text('reporter'),
    phone: text('phone'),
    gridCode: text('grid_code'),
    state: text('state').notNull().default('reported'),
    assigneeKind: text('assignee_kind', { enum: ['vehicle', 'worker', 'department'] }),
    assigneeId: text('assignee_id'),
    supervision: integer('supervision').notNull().default(0),
    satisfaction: integer('satisfaction'),
    updatedAt: epochMs('updated_at').notNull(),
    closedAt: epochMs('closed_at'),
    appealType: text('appeal_type'),
    replyText: text('reply_text'),
    replyAt: epochMs('reply_at'),
    replyBy: text('reply_by'),
    cameraId: text('camera_id'),
    snapshotSha256: text('snapshot_sha256'),
  },
  (t) => [
    index('incidents_state_idx').on(t.state),
    index('incidents_reported_idx').on(t.reportedAt),
    index('incidents_grid_idx').on(t.gridCode),
    // PostgreSQL treats NULLs as distinct in a unique index, as SQLite does: incidents without a
    // source_ref never collide.
    uniqueIndex('incidents_source_ref_idx').on(t.source, t.sourceRef),
    // One engaged incident per vehicle or worker, refused by the database whichever process tries.
    uniqueIndex('incidents_engaged_unit_idx')
      .on(t.assigneeKind, t.assigneeId)
      .where(sql`state IN ('dispatched', 'on_scene') AND assignee_kind IN ('vehicle', 'worker')`),
  ],
);

export const incidentEvents = pgTable(
  'incident_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    incidentId: text('incident_id').notNull(),
    at: epochMs('at').notNull(),
    actor: text('actor').notNull(),
    type: text('type').notNull(),
    fromState: text('from_state'),
    toState: text('to_state'),
    note: text('note'),
    data: jsonb('data'),
  },
  (t) => [index('incident_events_incident_idx').on(t.incidentId, t.at)],
);

export const users = pgTable('users', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  username: text('username').notNull().unique(),
  displayName: text('display_name'),
  role: text('role', { enum: ['admin', 'leader', 'dispatcher', 'duty', 'worker', 'department'] }).notNull(),
  passwordHash: text('password_hash').notNull(),
  regionCode: text('region_code'),
  workerId: text('worker_id'),
  departmentId: text('department_id'),
  disabledAt: epochMs('disabled_at'),
  failedLogins: integer('failed_logins').notNull().default(0),
  lockedUntil: epochMs('locked_until'),
  createdAt: epochMs('created_at').notNull(),
});

/** Append-only and hash-chained: triggers refuse UPDATE, DELETE and TRUNCATE and serialise appends. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    at: epochMs('at').notNull(),
    actor: text('actor').notNull(),
    role: text('role').notNull(),
    clientAddress: text('client_address'),
    action: text('action').notNull(),
    objectType: text('object_type').notNull(),
    objectId: text('object_id'),
    before: text('before'),
    after: text('after'),
    result: text('result', { enum: ['ok', 'denied', 'error'] }).notNull(),
    reason: text('reason'),
    prevHash: text('prev_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (t) => [
    index('audit_at_idx').on(t.at),
    index('audit_object_idx').on(t.objectType, t.objectId),
    index('audit_actor_idx').on(t.actor),
  ],
);

export const auditDenials = pgTable(
  'audit_denials',
  {
    minute: epochMs('minute').notNull(),
    kind: text('kind').notNull(),
    source: text('source').notNull(),
    actor: text('actor').notNull().default(''),
    count: integer('count').notNull(),
    lastAt: epochMs('last_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.minute, t.kind, t.source, t.actor] }),
    index('audit_denials_minute_idx').on(t.minute),
  ],
);

export const sessions = pgTable(
  'sessions',
  {
    idHash: text('id_hash').primaryKey(),
    userId: integer('user_id').notNull(),
    createdAt: epochMs('created_at').notNull(),
    lastSeenAt: epochMs('last_seen_at').notNull(),
    clientAddress: text('client_address'),
    revokedAt: epochMs('revoked_at'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

export const displayTokens = pgTable('display_tokens', {
  id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
  tokenHash: text('token_hash').notNull().unique(),
  name: text('name').notNull(),
  regionCode: text('region_code'),
  createdBy: text('created_by').notNull(),
  createdAt: epochMs('created_at').notNull(),
  revokedAt: epochMs('revoked_at'),
  lastUsedAt: epochMs('last_used_at'),
});

export const fieldDevices = pgTable('field_devices', {
  id: text('id').primaryKey(),
  name: text('name'),
  sipHa1: text('sip_ha1'),
  disabledAt: epochMs('disabled_at'),
  createdAt: epochMs('created_at').notNull(),
  lastSeenAt: epochMs('last_seen_at'),
  lastAddress: text('last_address'),
});

export const importRuns = pgTable(
  'import_runs',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    kind: text('kind').notNull(),
    fileName: text('file_name'),
    sha256: text('sha256').notNull(),
    created: integer('created').notNull(),
    updated: integer('updated').notNull(),
    unchanged: integer('unchanged').notNull(),
    actor: text('actor').notNull(),
    at: epochMs('at').notNull(),
  },
  (t) => [index('import_runs_kind_idx').on(t.kind, t.at)],
);

export const meta = pgTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: epochMs('updated_at')
    .notNull()
    .default(sql`(extract(epoch from now()) * 1000)::bigint`),
});

export const historyEntities = pgTable(
  'history_entities',
  {
    // Assigned by the history writer, not by the database (as in SQLite).
    key: integer('key').primaryKey(),
    kind: text('kind', { enum: ['vehicle', 'worker', 'camera'] }).notNull(),
    id: text('id').notNull(),
  },
  (t) => [uniqueIndex('history_entities_kind_id_idx').on(t.kind, t.id)],
);

export const historySegments = pgTable(
  'history_segments',
  {
    bucket: integer('bucket').notNull(),
    entity: integer('entity').notNull(),
    points: integer('points').notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.bucket, t.entity] })],
);

export const historyKeyframes = pgTable(
  'history_keyframes',
  {
    bucket: integer('bucket').notNull(),
    kind: text('kind', { enum: ['vehicle', 'worker', 'camera'] }).notNull(),
    chunk: integer('chunk').notNull(),
    entries: integer('entries').notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [primaryKey({ columns: [t.bucket, t.kind, t.chunk] })],
);

export const hotlineCallbacks = pgTable(
  'hotline_callbacks',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    eventId: bigint('event_id', { mode: 'number' }).notNull(),
    incidentId: text('incident_id').notNull(),
    orderNo: text('order_no').notNull(),
    payload: text('payload').notNull(),
    state: text('state', { enum: ['pending', 'done', 'dead'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAt: epochMs('next_at').notNull(),
    lastError: text('last_error'),
    createdAt: epochMs('created_at').notNull(),
    updatedAt: epochMs('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('hotline_callbacks_event_idx').on(t.eventId),
    index('hotline_callbacks_due_idx').on(t.state, t.nextAt),
  ],
);

export const uploads = pgTable('uploads', {
  hash: text('hash').primaryKey(),
  mime: text('mime').notNull(),
  bytes: integer('bytes').notNull(),
  width: integer('width').notNull(),
  height: integer('height').notNull(),
  createdBy: text('created_by').notNull(),
  createdAt: epochMs('created_at').notNull(),
  data: bytea('data'),
  thumb: bytea('thumb'),
});

export const incidentAttachments = pgTable(
  'incident_attachments',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    incidentId: text('incident_id').notNull(),
    hash: text('hash').notNull(),
    addedBy: text('added_by').notNull(),
    addedAt: epochMs('added_at').notNull(),
  },
  (t) => [
    uniqueIndex('incident_attachments_pair_idx').on(t.incidentId, t.hash),
    index('incident_attachments_hash_idx').on(t.hash),
  ],
);

export const workerReports = pgTable(
  'worker_reports',
  {
    key: text('key').primaryKey(),
    workerId: text('worker_id').notNull(),
    incidentId: text('incident_id').notNull(),
    at: epochMs('at').notNull(),
  },
  (t) => [index('worker_reports_worker_idx').on(t.workerId, t.at)],
);

export const workerActions = pgTable(
  'worker_actions',
  {
    key: text('key').primaryKey(),
    workerId: text('worker_id').notNull(),
    incidentId: text('incident_id').notNull(),
    action: text('action').notNull(),
    at: epochMs('at').notNull(),
  },
  (t) => [index('worker_actions_incident_idx').on(t.incidentId)],
);

export const reportFiles = pgTable(
  'report_files',
  {
    name: text('name').primaryKey(),
    regionCode: text('region_code'),
    period: text('period', { enum: ['day', 'week', 'xun', 'month'] }).notNull(),
    date: text('date').notNull(),
    bytes: integer('bytes').notNull(),
    createdAt: epochMs('created_at').notNull(),
    body: bytea('body').notNull(),
  },
  (t) => [index('report_files_date_idx').on(t.date)],
);

export const alarmSnapshots = pgTable('alarm_snapshots', {
  sha256: text('sha256').primaryKey(),
  type: text('type', { enum: ['jpeg', 'png'] }).notNull(),
  bytes: integer('bytes').notNull(),
  createdAt: epochMs('created_at').notNull(),
  body: bytea('body').notNull(),
});
