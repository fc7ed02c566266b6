/**
 * The system of record (DESIGN §3). Times are epoch milliseconds (UTC); positions WGS-84 degrees;
 * polygons GeoJSON geometry text. Change by generating a migration: `npm run db:generate`.
 */
import { sql } from 'drizzle-orm';
import {
  blob,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';

/** Administrative hierarchy: city → district → town → community (grids are in `grids`). */
export const regions = sqliteTable(
  'regions',
  {
    code: text('code').primaryKey(), // 12-digit statistical division code
    parentCode: text('parent_code'),
    level: text('level', { enum: ['city', 'district', 'town', 'community'] }).notNull(),
    name: text('name').notNull(),
    /** GeoJSON Polygon/MultiPolygon geometry. */
    geometry: text('geometry'),
    centerLng: real('center_lng'),
    centerLat: real('center_lat'),
  },
  (t) => [index('regions_parent_idx').on(t.parentCode)],
);

export const grids = sqliteTable(
  'grids',
  {
    code: text('code').primaryKey(), // community code + 3 digits
    communityCode: text('community_code').notNull(),
    name: text('name').notNull(),
    geometry: text('geometry').notNull(),
    centerLng: real('center_lng').notNull(),
    centerLat: real('center_lat').notNull(),
  },
  (t) => [index('grids_community_idx').on(t.communityCode)],
);

export const departments = sqliteTable('departments', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** police_station, justice, fire, urban_management, emergency, street_office… */
  kind: text('kind').notNull(),
  regionCode: text('region_code'),
  /** JSON array of incident categories this department answers for. */
  categories: text('categories').notNull().default('[]'),
  phone: text('phone'),
});

export const vehicles = sqliteTable(
  'vehicles',
  {
    id: text('id').primaryKey(),
    name: text('name'),
    kind: text('kind'), // car, motorbike, ebike, fire_engine…
    departmentId: text('department_id'),
    /** JT/T 808 terminal phone number (digits) when the vehicle carries one. */
    terminalPhone: text('terminal_phone'),
    /** 车牌 (licence plate), shown beside the name. */
    plate: text('plate'),
    /**
     * sha256 of this terminal's own JT/T 808 auth code (鉴权码), issued when it is provisioned and shown
     * once; null for a vehicle with no provisioned terminal.
     */
    terminalAuthHash: text('terminal_auth_hash'),
    /** A disabled vehicle's terminal is refused by the gateway and its reports are rejected. */
    disabledAt: integer('disabled_at'),
    /** Registered by its first report rather than by an administrator. */
    isUnassigned: integer('is_unassigned', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('vehicles_terminal_idx').on(t.terminalPhone)],
);

export const cameras = sqliteTable(
  'cameras',
  {
    id: text('id').primaryKey(), // 20-digit GB/T 28181 id
    name: text('name'),
    lng: real('lng'),
    lat: real('lat'),
    gridCode: text('grid_code'),
    /** xueliang (雪亮工程), huiyan (慧眼工程), tianwang (天网)… */
    program: text('program'),
    streamUrl: text('stream_url'),
    /** The region the registry names for it (import); the grid still follows from the position. */
    regionCode: text('region_code'),
    disabledAt: integer('disabled_at'),
    isUnassigned: integer('is_unassigned', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('cameras_grid_idx').on(t.gridCode)],
);

export const workers = sqliteTable(
  'workers',
  {
    id: text('id').primaryKey(),
    name: text('name'),
    /** full_time (专职网格员), assistant (协管员), community_police (社区民警), auxiliary_police (辅警) */
    role: text('role'),
    gridCode: text('grid_code'),
    phone: text('phone'),
    isUnassigned: integer('is_unassigned', { mode: 'boolean' }).notNull().default(false),
    disabledAt: integer('disabled_at'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('workers_grid_idx').on(t.gridCode)],
);

export const incidents = sqliteTable(
  'incidents',
  {
    /**
     * The incident's own id, unique across sources: the source's id when no other source has taken it,
     * else one qualified by the source (server/ingest/incident-ingest.ts).
     */
    id: text('id').primaryKey(),
    /** The source's id (IncidentReport.id): re-delivery of the same (source, sourceRef) is a no-op. */
    sourceRef: text('source_ref'),
    category: text('category').notNull(),
    title: text('title').notNull(),
    detail: text('detail'),
    lng: real('lng').notNull(),
    lat: real('lat').notNull(),
    priority: integer('priority').notNull(),
    source: text('source').notNull(),
    reportedAt: integer('reported_at').notNull(),
    receivedAt: integer('received_at').notNull(),
    address: text('address'),
    reporter: text('reporter'),
    phone: text('phone'),
    gridCode: text('grid_code'),
    state: text('state').notNull().default('reported'),
    assigneeKind: text('assignee_kind', { enum: ['vehicle', 'worker', 'department'] }),
    assigneeId: text('assignee_id'),
    /** 0 none, 1 普通, 2 黄牌, 3 红牌 */
    supervision: integer('supervision').notNull().default(0),
    satisfaction: integer('satisfaction'),
    updatedAt: integer('updated_at').notNull(),
    closedAt: integer('closed_at'),
    /** 12345 诉求类型: consult, help, complaint, report, suggestion (咨询/求助/投诉/举报/建议). */
    appealType: text('appeal_type'),
    /** 12345 答复: the reply to the citizen, when it was given and by whom (username). */
    replyText: text('reply_text'),
    replyAt: integer('reply_at'),
    replyBy: text('reply_by'),
    /** The camera an alarm came from (source video_patrol), and its snapshot (sha256, content-addressed). */
    cameraId: text('camera_id'),
    snapshotSha256: text('snapshot_sha256'),
  },
  (t) => [
    index('incidents_state_idx').on(t.state),
    index('incidents_reported_idx').on(t.reportedAt),
    index('incidents_grid_idx').on(t.gridCode),
    // Idempotency is per source: a 12345 work order and a 110 警情 may carry the same number.
    uniqueIndex('incidents_source_ref_idx').on(t.source, t.sourceRef),
    // A vehicle or worker is held by at most one engaged incident: the database itself refuses a second
    // assignment, whichever process or request tries it (DESIGN §5: 100 parallel assignments, one wins).
    uniqueIndex('incidents_engaged_unit_idx')
      .on(t.assigneeKind, t.assigneeId)
      .where(sql`state IN ('dispatched', 'on_scene') AND assignee_kind IN ('vehicle', 'worker')`),
  ],
);

/** The timeline of an incident: every state change, assignment, note and supervision flag. */
export const incidentEvents = sqliteTable(
  'incident_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    incidentId: text('incident_id').notNull(),
    at: integer('at').notNull(),
    /** username, or `system` / `ingest:<source>` */
    actor: text('actor').notNull(),
    type: text('type').notNull(), // reported, transition, assign, supervise, note, follow_up
    fromState: text('from_state'),
    toState: text('to_state'),
    note: text('note'),
    data: text('data'), // JSON
  },
  (t) => [index('incident_events_incident_idx').on(t.incidentId, t.at)],
);

export const users = sqliteTable('users', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  username: text('username').notNull().unique(),
  displayName: text('display_name'),
  role: text('role', { enum: ['admin', 'leader', 'dispatcher', 'duty', 'worker', 'department'] }).notNull(),
  passwordHash: text('password_hash').notNull(),
  /** The region this account may see (a 12- or 15-digit code), or null for the whole territory. */
  regionCode: text('region_code'),
  /** role `worker`: the grid worker (workers.id) this account is. */
  workerId: text('worker_id'),
  /** role `department`: the department (departments.id) this account answers for. */
  departmentId: text('department_id'),
  /** A disabled account cannot sign in and its sessions are revoked. */
  disabledAt: integer('disabled_at'),
  failedLogins: integer('failed_logins').notNull().default(0),
  lockedUntil: integer('locked_until'),
  createdAt: integer('created_at').notNull(),
});

/** Append-only, hash-chained (a trigger rejects UPDATE and DELETE; see the migration). */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(), // UTC epoch ms
    actor: text('actor').notNull(),
    role: text('role').notNull(),
    clientAddress: text('client_address'),
    action: text('action').notNull(),
    objectType: text('object_type').notNull(),
    objectId: text('object_id'),
    before: text('before'), // JSON
    after: text('after'), // JSON
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

/**
 * Denied requests and failed logins, counted per minute rather than one audit row each: anyone can cause
 * them, so one row each would let an unauthenticated client grow the audit table without bound.
 */
export const auditDenials = sqliteTable(
  'audit_denials',
  {
    /** Start of the minute, UTC epoch ms. */
    minute: integer('minute').notNull(),
    /** e.g. `login.failed`, `login.unknown_user`, `read.denied`, `socket.denied`. */
    kind: text('kind').notNull(),
    /** The client address (after TRUSTED_PROXIES). */
    source: text('source').notNull(),
    /** The username tried or the principal denied; '' when none. */
    actor: text('actor').notNull().default(''),
    count: integer('count').notNull(),
    lastAt: integer('last_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.minute, t.kind, t.source, t.actor] }),
    index('audit_denials_minute_idx').on(t.minute),
  ],
);

/**
 * Signed-in sessions. The cookie carries a random id signed with SESSION_SECRET; only its sha256 is stored,
 * so a copy of the database does not hand out live sessions.
 */
export const sessions = sqliteTable(
  'sessions',
  {
    idHash: text('id_hash').primaryKey(),
    userId: integer('user_id').notNull(),
    createdAt: integer('created_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
    clientAddress: text('client_address'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
);

/** Read-only wall display tokens for unattended screens (`/wall?token=…`); only the sha256 is stored. */
export const displayTokens = sqliteTable('display_tokens', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  tokenHash: text('token_hash').notNull().unique(),
  name: text('name').notNull(),
  /** The wall this screen shows (a region code), or null for the whole territory. */
  regionCode: text('region_code'),
  createdBy: text('created_by').notNull(),
  createdAt: integer('created_at').notNull(),
  revokedAt: integer('revoked_at'),
  /** When a screen last opened or subscribed with it (written at most once a minute). */
  lastUsedAt: integer('last_used_at'),
});

/**
 * GB/T 28181 devices (IPC, NVR, platform) allowed to register. A device authenticates with SIP digest:
 * only HA1 = MD5(deviceId:realm:password) is stored, which the digest check needs and which does not
 * reveal the password.
 */
export const fieldDevices = sqliteTable('field_devices', {
  id: text('id').primaryKey(), // 20-digit GB/T 28181 device id
  name: text('name'),
  /** Digest HA1 for this device; null → the domain password (GB28181_PASSWORD) applies. */
  sipHa1: text('sip_ha1'),
  disabledAt: integer('disabled_at'),
  createdAt: integer('created_at').notNull(),
  lastSeenAt: integer('last_seen_at'),
  /** host:port the device last registered from; MESSAGE/NOTIFY are accepted only from there. */
  lastAddress: text('last_address'),
});

/** One row per import (territory or a registry): versioned and audited; the same file twice changes nothing. */
export const importRuns = sqliteTable(
  'import_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind').notNull(), // territory, cameras, vehicles, workers, departments
    fileName: text('file_name'),
    sha256: text('sha256').notNull(),
    created: integer('created').notNull(),
    updated: integer('updated').notNull(),
    unchanged: integer('unchanged').notNull(),
    actor: text('actor').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('import_runs_kind_idx').on(t.kind, t.at)],
);

/** Key/value facts about this database (world seed, schema notes). */
export const meta = sqliteTable('meta', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: integer('updated_at')
    .notNull()
    .default(sql`(unixepoch() * 1000)`),
});

/**
 * Position history (server/history): the entities it has seen, numbered compactly so a segment row names
 * its entity in 1–3 bytes instead of its id.
 */
export const historyEntities = sqliteTable(
  'history_entities',
  {
    key: integer('key').primaryKey(),
    kind: text('kind', { enum: ['vehicle', 'worker', 'camera'] }).notNull(),
    id: text('id').notNull(),
  },
  (t) => [uniqueIndex('history_entities_kind_id_idx').on(t.kind, t.id)],
);

/**
 * Per 10-minute bucket, one row per block of 512 entity keys (entity = −(block + 1), server/history/block-row.ts,
 * written in key order once the bucket is over) and one row per entity for what came after (late reports):
 * bit-packed or varint runs (server/history/packed-run.ts, segment-codec.ts). Keyed by
 * bucket first, so a tick's writes append at the end of the tree, retention deletes a contiguous key range,
 * and a track is one seek per bucket. WITHOUT ROWID (added to the migration by hand: drizzle cannot say it)
 * stores each row once instead of once in the table and once in its key index.
 */
export const historySegments = sqliteTable(
  'history_segments',
  {
    /** floor(ts / 600,000): 10-minute buckets since the epoch. */
    bucket: integer('bucket').notNull(),
    entity: integer('entity').notNull(),
    points: integer('points').notNull(),
    data: blob('data', { mode: 'buffer' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.bucket, t.entity] })],
);

/** Every entity's last stored state at the start of a bucket, so a frame at any instant reads one bucket. */
export const historyKeyframes = sqliteTable(
  'history_keyframes',
  {
    bucket: integer('bucket').notNull(),
    kind: text('kind', { enum: ['vehicle', 'worker', 'camera'] }).notNull(),
    chunk: integer('chunk').notNull(),
    entries: integer('entries').notNull(),
    data: blob('data', { mode: 'buffer' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.bucket, t.kind, t.chunk] })],
);

/**
 * 12345 state callbacks (server/hotline): one row per state change of a hotline incident, sent to
 * HOTLINE_CALLBACK_URL with retries; `dead` rows are the dead-letter list an admin sees and may retry.
 */
export const hotlineCallbacks = sqliteTable(
  'hotline_callbacks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** The incident_events row reported: enqueuing it twice is a no-op. */
    eventId: integer('event_id').notNull(),
    incidentId: text('incident_id').notNull(),
    orderNo: text('order_no').notNull(),
    /** The JSON body POSTed. */
    payload: text('payload').notNull(),
    state: text('state', { enum: ['pending', 'done', 'dead'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAt: integer('next_at').notNull(),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    uniqueIndex('hotline_callbacks_event_idx').on(t.eventId),
    index('hotline_callbacks_due_idx').on(t.state, t.nextAt),
  ],
);

/**
 * Photos uploaded from the field (server/uploads): re-encoded (EXIF stripped), keyed by the sha256 of the
 * stored bytes, so the same photo sent twice is one row. The bytes live in the row, so every host serves
 * them; the blobs come last so reading the other columns never touches their overflow pages.
 */
export const uploads = sqliteTable('uploads', {
  hash: text('hash').primaryKey(),
  mime: text('mime').notNull(),
  bytes: integer('bytes').notNull(),
  width: integer('width').notNull(),
  height: integer('height').notNull(),
  createdBy: text('created_by').notNull(),
  createdAt: integer('created_at').notNull(),
  /**
   * The stored JPEG (≤ MAX_STORED_PHOTO_BYTES) and its thumbnail (≤ MAX_THUMB_BYTES). Null in a row written
   * before they moved into the database: its files under UPLOADS_DIR are read instead.
   */
  data: blob('data', { mode: 'buffer' }),
  thumb: blob('thumb', { mode: 'buffer' }),
});

/** Which photos belong to which incident: served only to those who may see one of these incidents. */
export const incidentAttachments = sqliteTable(
  'incident_attachments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    incidentId: text('incident_id').notNull(),
    hash: text('hash').notNull(),
    addedBy: text('added_by').notNull(),
    addedAt: integer('added_at').notNull(),
  },
  (t) => [
    uniqueIndex('incident_attachments_pair_idx').on(t.incidentId, t.hash),
    index('incident_attachments_hash_idx').on(t.hash),
  ],
);

/** Which grid worker reported which incident from the phone (我的上报), keyed by the phone's idempotency key. */
export const workerReports = sqliteTable(
  'worker_reports',
  {
    key: text('key').primaryKey(),
    workerId: text('worker_id').notNull(),
    incidentId: text('incident_id').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('worker_reports_worker_idx').on(t.workerId, t.at)],
);

/**
 * Task actions a grid worker's phone sent (接单/到场/补充/办结), keyed by the idempotency key the phone made
 * when the action was tapped: an action queued offline and sent again after a lost answer applies once.
 */
export const workerActions = sqliteTable(
  'worker_actions',
  {
    key: text('key').primaryKey(),
    workerId: text('worker_id').notNull(),
    incidentId: text('incident_id').notNull(),
    action: text('action').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('worker_actions_incident_idx').on(t.incidentId)],
);

/**
 * Briefing report files (server/reports), rendered on the REPORT_SCHEDULE or by hand: one row per file name
 * (`briefing-<region|all>-<period>-<date>.pdf`), never rewritten by the schedule, deleted by retention.
 */
export const reportFiles = sqliteTable(
  'report_files',
  {
    name: text('name').primaryKey(),
    /** Null: the whole territory. */
    regionCode: text('region_code'),
    period: text('period', { enum: ['day', 'week', 'xun', 'month'] }).notNull(),
    /** The local date the report is for (YYYY-MM-DD): retention compares it as text. */
    date: text('date').notNull(),
    bytes: integer('bytes').notNull(),
    createdAt: integer('created_at').notNull(),
    /** The PDF (≤ MAX_REPORT_BYTES). */
    body: blob('body', { mode: 'buffer' }).notNull(),
  },
  (t) => [index('report_files_date_idx').on(t.date)],
);

/**
 * Camera alarm snapshots, content-addressed: an incident names one by `snapshot_sha256`. Stored as the
 * platform sent them (evidence), so never re-encoded. Snapshots an older version wrote as files under
 * UPLOADS_DIR/alarm-snapshots have no row: they are read from there.
 */
export const alarmSnapshots = sqliteTable('alarm_snapshots', {
  sha256: text('sha256').primaryKey(),
  type: text('type', { enum: ['jpeg', 'png'] }).notNull(),
  bytes: integer('bytes').notNull(),
  createdAt: integer('created_at').notNull(),
  /** The JPEG or PNG (≤ MAX_SNAPSHOT_BYTES). */
  body: blob('body', { mode: 'buffer' }).notNull(),
});
