import type Database from 'better-sqlite3';
import type { Clock } from '@/lib/clock';
import { VEHICLE_STATUSES, WORKER_STATUSES, type VehicleStatus } from '@/lib/domain/enums';
import type { IncidentView } from '@/lib/domain/incident';
import { decide, type Assignee, type IncidentCommand } from '@/lib/domain/incident-lifecycle';
import type { EntityStore } from '../live/entity-store';
import type { IncidentBoard } from '../live/incident-board';
import type { Logger } from '../logger';
import type { Principal } from '../http/router';
import type { AuditLog } from '../audit/audit-log';
import { INCIDENT_COLUMNS, toIncidentView, toLifecycleState, type IncidentRow } from './incident-view';

/** The live state dispatch reads (positions, statuses) and writes (incident board, vehicle status). */
export interface DispatchLive {
  vehicles: EntityStore;
  workers: EntityStore;
  cameras: EntityStore;
  incidents: IncidentBoard;
  setVehicleStatus(id: string, status: VehicleStatus): boolean;
}

export type CommandOutcome =
  | { ok: true; view: IncidentView; vehicleStatuses: [string, VehicleStatus][] }
  | { ok: false; status: 400 | 403 | 404 | 409; error: string; reason: string };

const OFFLINE_VEHICLE = VEHICLE_STATUSES.indexOf('offline');
const OFF_DUTY_WORKER = WORKER_STATUSES.indexOf('off_duty');

/** SQLite's answer when the engaged-unit unique index refuses a second assignment. */
function isUniqueViolation(e: unknown): boolean {
  return e instanceof Error && (e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/**
 * Runs lifecycle commands: decides with the pure rules, then writes the incident, its timeline event and
 * the audit row in one IMMEDIATE transaction (so concurrent requests serialise on SQLite's write lock and
 * the engaged-unit index lets exactly one assignment of a unit win), and only after commit tells the live
 * state, which the realtime layer broadcasts on its next tick.
 */
export class DispatchService {
  private readonly select: Database.Statement<[string], IncidentRow>;
  private readonly update: Database.Statement;
  private readonly insertEvent: Database.Statement;
  private readonly busyWith: Database.Statement<[string, string, string], { id: string }>;
  private readonly exists: Record<Assignee['kind'], Database.Statement<[string]>>;
  private readonly run: Database.Transaction<
    (id: string, command: IncidentCommand, p: Principal, address: string) => CommandOutcome
  >;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly live: DispatchLive,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.select = sqlite.prepare(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = ?`);
    this.update = sqlite.prepare(
      `UPDATE incidents SET state = @state, assignee_kind = @assigneeKind, assignee_id = @assigneeId, supervision = @supervision,
         satisfaction = @satisfaction, updated_at = @updatedAt, closed_at = @closedAt WHERE id = @id`,
    );
    this.insertEvent = sqlite.prepare(
      `INSERT INTO incident_events (incident_id, at, actor, type, from_state, to_state, note, data)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.busyWith = sqlite.prepare(
      // The kind clause repeats the engaged-unit index's condition so SQLite may use that index (a lookup)
      // rather than scan every open case by state.
      `SELECT id FROM incidents WHERE assignee_kind = ? AND assignee_id = ? AND state IN ('dispatched', 'on_scene')
         AND assignee_kind IN ('vehicle', 'worker') AND id != ? LIMIT 1`,
    );
    this.exists = {
      department: sqlite.prepare('SELECT 1 FROM departments WHERE id = ?'),
      vehicle: sqlite.prepare('SELECT 1 FROM vehicles WHERE id = ?'),
      worker: sqlite.prepare('SELECT 1 FROM workers WHERE id = ?'),
    };
    this.run = sqlite.transaction((id, command, p, address) => this.apply(id, command, p, address));
  }

  execute(
    incidentId: string,
    command: IncidentCommand,
    principal: Principal,
    clientAddress: string,
  ): CommandOutcome {
    let outcome: CommandOutcome;
    try {
      outcome = this.run.immediate(incidentId, command, principal, clientAddress);
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      outcome = { ok: false, status: 409, error: '该单位已被派出，不能重复派单', reason: 'unit_busy' };
    }
    if (outcome.ok) {
      // After commit only: the board reaches every wall on the next tick, with the units' new statuses.
      this.live.incidents.upsert(outcome.view);
      for (const [vehicleId, status] of outcome.vehicleStatuses)
        this.live.setVehicleStatus(vehicleId, status);
    } else {
      // The refused attempt is on the record too, in its own transaction (the change's one rolled back).
      this.audit.append({
        actor: principal.username,
        role: principal.role,
        clientAddress,
        action: `incident.${command.type}`,
        objectType: 'incident',
        objectId: incidentId,
        after: command,
        result: outcome.status === 403 ? 'denied' : 'error',
        reason: outcome.reason,
      });
      if (outcome.status === 403)
        this.logger.warn({ user: principal.username, incidentId, reason: outcome.reason }, 'dispatch denied');
    }
    return outcome;
  }

  private unitProblem(a: Assignee, incidentId: string): CommandOutcome | null {
    if (a.kind === 'department') {
      const dept = this.exists.department.get(a.id);
      return dept ? null : { ok: false, status: 404, error: '无此部门', reason: 'unknown_department' };
    }
    const store = a.kind === 'vehicle' ? this.live.vehicles : this.live.workers;
    const idx = store.indexOf(a.id);
    if (idx === undefined && !this.exists[a.kind].get(a.id))
      return {
        ok: false,
        status: 404,
        error: a.kind === 'vehicle' ? '无此车辆' : '无此网格员',
        reason: `unknown_${a.kind}`,
      };
    if (idx !== undefined && store.ts[idx]! > 0) {
      const status = store.status[idx];
      if (a.kind === 'vehicle' && status === OFFLINE_VEHICLE)
        return { ok: false, status: 409, error: '车辆离线', reason: 'unit_offline' };
      if (a.kind === 'worker' && status === OFF_DUTY_WORKER)
        return { ok: false, status: 409, error: '网格员不在岗', reason: 'unit_off_duty' };
    }
    const busy = this.busyWith.get(a.kind, a.id, incidentId);
    if (busy) return { ok: false, status: 409, error: `该单位正在处置事件 ${busy.id}`, reason: 'unit_busy' };
    return null;
  }

  private apply(id: string, command: IncidentCommand, p: Principal, address: string): CommandOutcome {
    const row = this.select.get(id);
    if (!row) return { ok: false, status: 404, error: '无此事件', reason: 'unknown_incident' };
    const now = this.clock.now();
    if (p.isDisplay) return { ok: false, status: 403, error: '只读令牌', reason: 'display_token_read_only' };
    const d = decide(
      toLifecycleState(row),
      command,
      {
        username: p.username,
        role: p.role,
        workerId: p.workerId ?? null,
        departmentId: p.departmentId ?? null,
      },
      now,
    );
    if (!d.ok) {
      const status = d.error === 'forbidden' ? 403 : d.error === 'note_required' ? 400 : 409;
      return { ok: false, status, error: d.message, reason: d.error };
    }
    if (d.engaged || command.type === 'assign') {
      const problem = this.unitProblem(command.type === 'assign' ? command.assignee : d.engaged!, id);
      if (problem) return problem;
    }
    const next = { ...row, ...d.next };
    this.update.run({ id, ...d.next });
    const e = d.event;
    this.insertEvent.run(
      id,
      now,
      p.username,
      e.type,
      e.fromState,
      e.toState,
      e.note,
      e.data ? JSON.stringify(e.data) : null,
    );
    this.audit.append({
      actor: p.username,
      role: p.role,
      clientAddress: address,
      action: `incident.${command.type}`,
      objectType: 'incident',
      objectId: id,
      before: summary(row),
      after: { ...summary(next), note: e.note },
      result: 'ok',
    });
    const vehicleStatuses: [string, VehicleStatus][] = [];
    if (d.released?.kind === 'vehicle') vehicleStatuses.push([d.released.id, 'patrol']);
    if (d.engaged?.kind === 'vehicle') vehicleStatuses.push([d.engaged.id, 'responding']);
    if (e.toState === 'on_scene' && next.assigneeKind === 'vehicle' && next.assigneeId)
      vehicleStatuses.push([next.assigneeId, 'on_scene']);
    return { ok: true, view: toIncidentView(next), vehicleStatuses };
  }
}

function summary(r: IncidentRow) {
  return {
    state: r.state,
    assigneeKind: r.assigneeKind,
    assigneeId: r.assigneeId,
    supervision: r.supervision,
    satisfaction: r.satisfaction,
  };
}
