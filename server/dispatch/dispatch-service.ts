import { sql, type SQL } from 'drizzle-orm';
import type { Clock } from '@/lib/clock';
import { VEHICLE_STATUSES, WORKER_STATUSES, type VehicleStatus } from '@/lib/domain/enums';
import type { IncidentView } from '@/lib/domain/incident';
import { decide, type Assignee, type IncidentCommand } from '@/lib/domain/incident-lifecycle';
import type { EntityStore } from '../live/entity-store';
import type { IncidentBoard } from '../live/incident-board';
import type { Logger } from '../logger';
import type { Principal } from '../http/router';
import type { SqlAudit } from '../audit/audit-append';
import { forUpdate, isUniqueViolation, type SqlRunner } from '../db/sql-db';
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

/**
 * Runs lifecycle commands: decides with the pure rules, then writes the incident, its timeline event and
 * the audit row in one transaction, and only after commit tells the live state, which the realtime layer
 * broadcasts on its next tick. Concurrent commands on one incident take turns: SQLite's IMMEDIATE
 * transaction holds the write lock, PostgreSQL locks the incident's row (FOR UPDATE). Two assignments of one
 * unit to two incidents are refused by the engaged-unit unique index on both engines, so exactly one wins
 * whichever process serves them.
 */
export class DispatchService {
  private readonly incidentById: SQL;

  constructor(
    private readonly db: SqlRunner,
    private readonly live: DispatchLive,
    private readonly audit: SqlAudit,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.incidentById = sql.raw(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = `);
  }

  async execute(
    incidentId: string,
    command: IncidentCommand,
    principal: Principal,
    clientAddress: string,
    /** A caller's open transaction: the command is a savepoint of it (the caller's rows land with it). */
    via: SqlRunner = this.db,
  ): Promise<CommandOutcome> {
    let outcome: CommandOutcome;
    try {
      outcome = await via.transaction((tx) => this.apply(tx, incidentId, command, principal, clientAddress));
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
      await this.audit.appendAlone(
        {
          actor: principal.username,
          role: principal.role,
          clientAddress,
          action: `incident.${command.type}`,
          objectType: 'incident',
          objectId: incidentId,
          after: command,
          result: outcome.status === 403 ? 'denied' : 'error',
          reason: outcome.reason,
        },
        via,
      );
      if (outcome.status === 403)
        this.logger.warn({ user: principal.username, incidentId, reason: outcome.reason }, 'dispatch denied');
    }
    return outcome;
  }

  private async unitProblem(tx: SqlRunner, a: Assignee, incidentId: string): Promise<CommandOutcome | null> {
    if (a.kind === 'department') {
      const dept = await tx.get(sql`SELECT 1 AS one FROM departments WHERE id = ${a.id}`);
      return dept ? null : { ok: false, status: 404, error: '无此部门', reason: 'unknown_department' };
    }
    const store = a.kind === 'vehicle' ? this.live.vehicles : this.live.workers;
    const idx = store.indexOf(a.id);
    const table = sql.raw(a.kind === 'vehicle' ? 'vehicles' : 'workers');
    if (idx === undefined && !(await tx.get(sql`SELECT 1 AS one FROM ${table} WHERE id = ${a.id}`)))
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
    // The kind clause repeats the engaged-unit index's condition so the engine may use that index (a
    // lookup) rather than scan every open case by state.
    const busy = await tx.get<{ id: string }>(
      sql`SELECT id FROM incidents WHERE assignee_kind = ${a.kind} AND assignee_id = ${a.id} AND state IN ('dispatched', 'on_scene')
            AND assignee_kind IN ('vehicle', 'worker') AND id != ${incidentId} LIMIT 1`,
    );
    if (busy) return { ok: false, status: 409, error: `该单位正在处置事件 ${busy.id}`, reason: 'unit_busy' };
    return null;
  }

  private async apply(
    tx: SqlRunner,
    id: string,
    command: IncidentCommand,
    p: Principal,
    address: string,
  ): Promise<CommandOutcome> {
    const row = await tx.get<IncidentRow>(sql`${this.incidentById}${id}${forUpdate(tx)}`);
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
      const problem = await this.unitProblem(
        tx,
        command.type === 'assign' ? command.assignee : d.engaged!,
        id,
      );
      if (problem) return problem;
    }
    const next = { ...row, ...d.next };
    const n = d.next;
    await tx.run(
      sql`UPDATE incidents SET state = ${n.state}, assignee_kind = ${n.assigneeKind}, assignee_id = ${n.assigneeId},
            supervision = ${n.supervision}, satisfaction = ${n.satisfaction}, updated_at = ${n.updatedAt}, closed_at = ${n.closedAt}
          WHERE id = ${id}`,
    );
    const e = d.event;
    await tx.run(
      sql`INSERT INTO incident_events (incident_id, at, actor, type, from_state, to_state, note, data)
          VALUES (${id}, ${now}, ${p.username}, ${e.type}, ${e.fromState}, ${e.toState}, ${e.note}, ${e.data ? JSON.stringify(e.data) : null})`,
    );
    await this.audit.append(tx, {
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
