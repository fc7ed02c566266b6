import type { VehicleStatus } from '@/lib/domain/enums';
import type { VehicleReportInput } from '@/lib/domain/vehicle';
import { bearingDeg, haversineM } from '@/lib/world/geo';
import type { LngLat, RoadGraph } from '@/lib/world/road-graph';
import type { Rng } from '@/lib/world/rng';

/** Top speed by vehicle kind, km/h: an e-bike never does 40 on an arterial. */
const KIND_MAX_KMH: Record<string, number> = { ebike: 25, motorbike: 50, fire_engine: 60, rescue: 60 };
/** Patrols crawl (looking, not going); a unit on a call drives faster than traffic. */
const PATROL_FACTOR = [0.45, 0.8] as const;
const RESPOND_FACTOR = 1.25;
/** Patrol legs end within this distance of the unit's base: a police station patrols its own area. */
const PATROL_RADIUS_M = 3_000;

export type AgentMode = 'patrol' | 'idle' | 'responding' | 'on_scene';

/**
 * One patrol unit moving along the road graph. Positions are always on a road: a point on a path segment,
 * and paths only ever join nodes by edges.
 */
export class VehicleAgent {
  mode: AgentMode = 'patrol';
  incidentId: string | null = null;
  /** Sim time (ms) at which an idle or on-scene spell ends. */
  until = 0;
  private path: LngLat[] = [];
  private nodes: number[] = [];
  private speeds: number[] = [];
  private seg = 0;
  private segDoneM = 0;
  private speedFactor = 0.6;
  private isHeadingHome = false;
  private lng: number;
  private lat: number;
  private heading = 0;
  private speedKmh = 0;
  hasReported = false;

  constructor(
    readonly id: string,
    readonly name: string,
    readonly kind: string,
    private readonly baseNode: number,
    private readonly graph: RoadGraph,
    private readonly rng: Rng,
  ) {
    // Start somewhere on the unit's beat rather than all stacked at the station.
    const start = this.randomNodeNear(baseNode, PATROL_RADIUS_M);
    [this.lng, this.lat] = graph.node(start);
    this.nodes = [start];
    this.path = [graph.node(start)];
  }

  get position(): LngLat {
    return [this.lng, this.lat];
  }

  get status(): VehicleStatus {
    return this.mode;
  }

  /** Sends the unit to a position along the roads; the caller decides what happens on arrival. */
  dispatchTo(incidentId: string, lng: number, lat: number): boolean {
    this.isHeadingHome = false;
    const from = this.nextNode();
    const to = this.graph.nearestNode(lng, lat);
    const route = this.graph.routeNodes(from, to);
    if (!route) return false;
    this.setPath(route.nodes, route.speedsKmh, RESPOND_FACTOR);
    this.mode = 'responding';
    this.incidentId = incidentId;
    return true;
  }

  /** Back to patrolling (after the scene, or when the incident went to someone else). */
  release(): void {
    this.mode = 'patrol';
    this.incidentId = null;
    this.newPatrolLeg();
  }

  /**
   * Moves the unit forward by `dtS` simulated seconds. Returns 'arrived' when a responding unit reaches the
   * scene during this step.
   */
  advance(dtS: number, simNow: number): 'arrived' | null {
    if (this.mode === 'idle' || this.mode === 'on_scene') {
      this.speedKmh = 0;
      if (this.mode === 'idle' && simNow >= this.until) this.newPatrolLeg();
      return null;
    }
    let leftS = dtS;
    let lastSpeed = 0;
    while (leftS > 0 && this.seg < this.path.length - 1) {
      const a = this.path[this.seg]!;
      const b = this.path[this.seg + 1]!;
      const segLen = haversineM(a[0], a[1], b[0], b[1]);
      const kmh = Math.min(this.speeds[this.seg]! * this.speedFactor, KIND_MAX_KMH[this.kind] ?? 70);
      const ms = kmh / 3.6;
      const canGo = ms * leftS;
      if (this.segDoneM + canGo < segLen) {
        this.segDoneM += canGo;
        leftS = 0;
      } else {
        leftS -= (segLen - this.segDoneM) / ms;
        this.seg++;
        this.segDoneM = 0;
      }
      lastSpeed = kmh;
      if (segLen > 0) this.heading = bearingDeg(a[0], a[1], b[0], b[1]);
    }
    this.updatePosition();
    // Traffic noise on the reported speed, as a real terminal's GPS speed wobbles.
    this.speedKmh = lastSpeed > 0 ? Math.max(0, lastSpeed * (0.85 + 0.3 * this.rng.next())) : 0;
    if (this.seg >= this.path.length - 1) {
      if (this.mode === 'responding') {
        this.mode = 'on_scene';
        this.speedKmh = 0;
        return 'arrived';
      }
      // End of a patrol leg: now and then park at base for a break, otherwise keep patrolling.
      if (this.rng.chance(0.12)) {
        this.goHome();
      } else if (this.isHeadingHome) {
        this.isHeadingHome = false;
        this.mode = 'idle';
        this.until = simNow + this.rng.range(10, 40) * 60_000;
      } else {
        this.newPatrolLeg();
      }
    }
    return null;
  }

  report(ts: number): VehicleReportInput {
    const r: VehicleReportInput = {
      id: this.id,
      lng: this.lng,
      lat: this.lat,
      speed: Math.round(this.speedKmh * 10) / 10,
      heading: Math.round(this.heading) % 360,
      status: this.status,
      ts,
    };
    // A terminal's first report describes it (name/kind), as DESIGN §4 allows for new vehicles.
    if (!this.hasReported) {
      r.name = this.name.slice(0, 64);
      r.kind = this.kind.slice(0, 32);
      this.hasReported = true;
    }
    return r;
  }

  private goHome(): void {
    const route = this.graph.routeNodes(this.nextNode(), this.baseNode);
    if (!route) return this.newPatrolLeg();
    this.setPath(route.nodes, route.speedsKmh, 0.5);
    this.isHeadingHome = true;
  }

  private newPatrolLeg(): void {
    this.mode = 'patrol';
    this.isHeadingHome = false;
    const from = this.nextNode();
    for (let i = 0; i < 5; i++) {
      const route = this.graph.routeNodes(from, this.randomNodeNear(this.baseNode, PATROL_RADIUS_M));
      if (route && route.nodes.length > 1) {
        this.setPath(route.nodes, route.speedsKmh, this.rng.range(PATROL_FACTOR[0], PATROL_FACTOR[1]));
        return;
      }
    }
    // Nowhere to go (a one-node graph): stand still.
    this.setPath([from], [], 0.6);
  }

  /** The node the unit is heading to on its current segment: routes start there so it never leaves the road. */
  private nextNode(): number {
    if (this.seg < this.path.length - 1 && this.segDoneM > 0) return this.nodes[this.seg + 1]!;
    return this.nodes[Math.min(this.seg, this.nodes.length - 1)]!;
  }

  private setPath(nodes: number[], speeds: number[], factor: number): void {
    const here: LngLat = [this.lng, this.lat];
    const first = this.graph.node(nodes[0]!);
    // Mid-segment: keep the current position as the first point so the unit finishes its segment first.
    if (here[0] !== first[0] || here[1] !== first[1]) {
      this.nodes = [nodes[0]!, ...nodes];
      this.path = [here, ...nodes.map((n) => this.graph.node(n))];
      this.speeds = [speeds[0] ?? 20, ...speeds];
    } else {
      this.nodes = nodes;
      this.path = nodes.map((n) => this.graph.node(n));
      this.speeds = speeds;
    }
    this.seg = 0;
    this.segDoneM = 0;
    this.speedFactor = factor;
  }

  private updatePosition(): void {
    const a = this.path[this.seg]!;
    const b = this.path[this.seg + 1];
    if (!b) {
      [this.lng, this.lat] = a;
      return;
    }
    const len = haversineM(a[0], a[1], b[0], b[1]);
    const f = len > 0 ? Math.min(1, this.segDoneM / len) : 0;
    this.lng = a[0] + (b[0] - a[0]) * f;
    this.lat = a[1] + (b[1] - a[1]) * f;
  }

  private randomNodeNear(center: number, radiusM: number): number {
    const [clng, clat] = this.graph.node(center);
    const d = radiusM * Math.sqrt(this.rng.next());
    const a = this.rng.range(0, 2 * Math.PI);
    const lat = clat + (d * Math.sin(a)) / 111_320;
    const lng = clng + (d * Math.cos(a)) / (111_320 * Math.cos((clat * Math.PI) / 180));
    const n = this.graph.nearestNode(lng, lat);
    return n >= 0 ? n : center;
  }
}
