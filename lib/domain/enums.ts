// Domain vocabularies (DESIGN.md §2). Codes are the wire values; labels are what screens show.

export const INCIDENT_CATEGORIES = [
  'dispute',
  'public_security',
  'fire_safety',
  'work_safety',
  'traffic',
  'environment',
  'city_management',
  'special_population',
  'petition',
  'citizen_request',
  'emergency',
  'other',
] as const;
export type IncidentCategory = (typeof INCIDENT_CATEGORIES)[number];

export const CATEGORY_LABELS: Record<IncidentCategory, { zh: string; en: string }> = {
  dispute: { zh: '矛盾纠纷', en: 'Dispute' },
  public_security: { zh: '治安隐患', en: 'Public security' },
  fire_safety: { zh: '消防安全', en: 'Fire safety' },
  work_safety: { zh: '安全生产', en: 'Work safety' },
  traffic: { zh: '交通安全', en: 'Traffic' },
  environment: { zh: '环境卫生', en: 'Environment' },
  city_management: { zh: '城市管理', en: 'City management' },
  special_population: { zh: '特殊人群', en: 'Special population' },
  petition: { zh: '信访', en: 'Petition' },
  citizen_request: { zh: '群众诉求', en: 'Citizen request' },
  emergency: { zh: '突发事件', en: 'Emergency' },
  other: { zh: '其他', en: 'Other' },
};

export const PRIORITIES = [1, 2, 3, 4] as const;
export type Priority = (typeof PRIORITIES)[number];
export const PRIORITY_LABELS: Record<Priority, { zh: string; en: string }> = {
  1: { zh: '特急', en: 'Critical' },
  2: { zh: '紧急', en: 'Urgent' },
  3: { zh: '一般', en: 'Normal' },
  4: { zh: '较低', en: 'Low' },
};

export const INCIDENT_SOURCES = [
  'grid_worker',
  'hotline_12345',
  'police_110',
  'video_patrol',
  'sensor',
  'public_app',
] as const;
export type IncidentSource = (typeof INCIDENT_SOURCES)[number];
export const SOURCE_LABELS: Record<IncidentSource, { zh: string; en: string }> = {
  grid_worker: { zh: '网格员上报', en: 'Grid worker' },
  hotline_12345: { zh: '12345热线', en: '12345 hotline' },
  police_110: { zh: '110警情', en: '110 police' },
  video_patrol: { zh: '视频巡查', en: 'Video patrol' },
  sensor: { zh: '物联感知', en: 'IoT sensor' },
  public_app: { zh: '群众随手拍', en: 'Public app' },
};

export const INCIDENT_STATES = [
  'reported',
  'accepted',
  'dispatched',
  'on_scene',
  'resolved',
  'closed',
  'returned',
  'escalated',
  'cancelled',
] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];
export const STATE_LABELS: Record<IncidentState, { zh: string; en: string }> = {
  reported: { zh: '上报', en: 'Reported' },
  accepted: { zh: '受理', en: 'Accepted' },
  dispatched: { zh: '已派遣', en: 'Dispatched' },
  on_scene: { zh: '处置中', en: 'On scene' },
  resolved: { zh: '已办结', en: 'Resolved' },
  closed: { zh: '已结案', en: 'Closed' },
  returned: { zh: '退单', en: 'Returned' },
  escalated: { zh: '上报上级', en: 'Escalated' },
  cancelled: { zh: '作废', en: 'Cancelled' },
};
/** States after which an incident leaves the live (open) set. */
export const TERMINAL_STATES: ReadonlySet<IncidentState> = new Set(['closed', 'cancelled']);

// Numeric codes are the binary wire values: append only, never renumber.
export const VEHICLE_STATUSES = ['patrol', 'idle', 'responding', 'on_scene', 'offline'] as const;
export type VehicleStatus = (typeof VEHICLE_STATUSES)[number];
export const VEHICLE_STATUS_LABELS: Record<VehicleStatus, { zh: string; en: string }> = {
  patrol: { zh: '巡逻', en: 'Patrol' },
  idle: { zh: '空闲', en: 'Idle' },
  responding: { zh: '出警', en: 'Responding' },
  on_scene: { zh: '到场', en: 'On scene' },
  offline: { zh: '离线', en: 'Offline' },
};

export const CAMERA_STATUSES = ['online', 'offline', 'fault'] as const;
export type CameraStatus = (typeof CAMERA_STATUSES)[number];
export const CAMERA_STATUS_LABELS: Record<CameraStatus | 'stale', { zh: string; en: string }> = {
  online: { zh: '在线', en: 'Online' },
  offline: { zh: '离线', en: 'Offline' },
  fault: { zh: '故障', en: 'Fault' },
  stale: { zh: '失联', en: 'Stale' },
};

export const WORKER_STATUSES = ['on_duty', 'off_duty'] as const;
export type WorkerStatus = (typeof WORKER_STATUSES)[number];

export const CRS_VALUES = ['wgs84', 'gcj02', 'bd09'] as const;
export type Crs = (typeof CRS_VALUES)[number];

export const REGION_LEVELS = ['city', 'district', 'town', 'community', 'grid'] as const;
export type RegionLevel = (typeof REGION_LEVELS)[number];
