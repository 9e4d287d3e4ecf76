import type { RunningTarget } from "../servers/target.js";
import { type LatencySummary, mergeHistograms, summarize } from "../stats/histogram.js";
import { nowUs, sleep } from "../system/clock.js";
import { type CpuSample, otherCpuShare, sampleCpu } from "../system/noise.js";
import { cpuSeconds } from "../system/proc.js";
import type { LoadPool } from "./pool.js";
import type { Collected, ConnectResult, ConnSpec, Progress, SendResult } from "./protocol.js";

/** Time between handing out a schedule and its first send, so every load process has it in time. */
const LEAD_US = 250_000;
const PROGRESS_POLL_MS = 50;
/** Handshakes in flight per load process while connecting. */
const CONNECT_CONCURRENCY = 64;

export interface Sender {
  conn: number;
  roomId: string;
}

export interface OpenLoopPlan {
  step: number;
  /** Messages per second summed over all senders, spread evenly in time. */
  ratePerSecond: number;
  durationMs: number;
  /** How long to wait after the last send for deliveries to arrive before counting the rest lost. */
  drainMs: number;
  senders: Sender[];
}

export interface StepOutcome {
  step: number;
  ratePerSecond: number;
  durationMs: number;
  sent: number;
  expected: number;
  received: number;
  lost: number;
  stray: number;
  closed: number;
  errors: number;
  acks: number;
  deliveriesPerSecond: number;
  latency: LatencySummary;
  ackLatency: LatencySummary;
  serverCpuSeconds: number;
  /** CPU used by all load processes together over the same span. */
  loadCpuSeconds: number;
  /** From just before the schedule goes out to the end of the drain: the span the CPU figures cover. */
  wallSeconds: number;
  /** Share of one CPU used meanwhile by processes that are not the harness's: noise. */
  otherCpuShare: number;
  /** Only for a fleet spread over several server nodes: the same figures per node's recipients. */
  byNode?: NodeOutcome[];
  /** Worst latency (ms) per quarter second of the step's schedule: shows when a tail happened. */
  worstByQuarterSecondMs: number[];
}

/** The deliveries to one server node's connections (ConnSpec.node), and that node's CPU. */
export interface NodeOutcome {
  node: number;
  expected: number;
  received: number;
  lost: number;
  deliveriesPerSecond: number;
  latency: LatencySummary;
  serverCpuSeconds: number;
}

interface CpuMark {
  /** Per server node. */
  servers: number[];
  load: number;
  atUs: number;
  all: CpuSample;
}

export interface ClosedLoopPlan {
  step: number;
  durationMs: number;
  drainMs: number;
  window: number;
  senders: Sender[];
}

/**
 * The connections of one scenario, spread round-robin over the load processes. Usually against
 * one server; given several (nodes of one cluster), each connection goes to the node its
 * ConnSpec.node names, and every step is also scored per node.
 */
export class Fleet {
  private constructor(
    private readonly pool: LoadPool,
    private readonly targets: readonly RunningTarget[],
    private readonly owner: (conn: number) => number,
    /** Per room, its members on each node (index = node). */
    private readonly membersByRoomNode: ReadonlyMap<string, readonly number[]>,
    readonly connect: ConnectResult,
    /** From the connect command to each connection's last `joined` (queueing in the load process included). */
    readonly readyLatency: LatencySummary,
  ) {}

  static async open(
    pool: LoadPool,
    target: RunningTarget | readonly RunningTarget[],
    specs: readonly ConnSpec[],
    timeoutMs = 60_000,
    /** Handshakes in flight per load process; a storm raises it so clients come at once. */
    concurrency = CONNECT_CONCURRENCY,
  ): Promise<Fleet> {
    const targets: readonly RunningTarget[] = Array.isArray(target) ? target : [target as RunningTarget];
    const [first] = targets;
    if (!first) throw new Error("a fleet needs a server");
    if (targets.some((t) => t.driver !== first.driver))
      throw new Error("a fleet's servers must share a driver");
    // Fixed at open: the pool may grow later, but these connections stay where they are.
    const processes = pool.size;
    const owner = (conn: number) => conn % processes;
    const shares = Array.from({ length: processes }, () => [] as ConnSpec[]);
    const membersByRoomNode = new Map<string, number[]>();
    for (const spec of specs) {
      const node = spec.node ?? 0;
      if (node >= targets.length) throw new Error(`connection ${spec.id} names server ${node}`);
      shares[owner(spec.id)]?.push(spec);
      for (const roomId of spec.rooms) {
        let counts = membersByRoomNode.get(roomId);
        if (!counts) {
          counts = new Array<number>(targets.length).fill(0);
          membersByRoomNode.set(roomId, counts);
        }
        counts[node] = (counts[node] ?? 0) + 1;
      }
    }
    const results = await pool.all<ConnectResult>((index) => ({
      type: "connect",
      driver: first.driver,
      servers: targets.map((t) => ({ url: t.connectUrl, origin: t.origin })),
      localAddress: pool.localAddress(index),
      conns: shares[index] ?? [],
      concurrency,
      timeoutMs,
    }));
    const total: ConnectResult = { connected: 0, failed: 0 };
    for (const result of results) {
      total.connected += result.connected;
      total.failed += result.failed;
      if (result.firstError !== undefined) total.firstError ??= result.firstError;
    }
    const ready = mergeHistograms(results.flatMap((result) => result.readyHistogram ?? []));
    const readyLatency = summarize(ready);
    ready.destroy();
    return new Fleet(pool, targets, owner, membersByRoomNode, total, readyLatency);
  }

  /** Every message sent to a room should reach each of its members, the sender included. */
  private expectedDeliveries(sent: SendResult[]): { sent: number; expected: number; byNode: number[] } {
    let total = 0;
    const byNode = new Array<number>(this.targets.length).fill(0);
    for (const result of sent) {
      for (const [roomId, count] of Object.entries(result.sentByRoom)) {
        total += count;
        const members = this.membersByRoomNode.get(roomId) ?? [];
        members.forEach((onNode, node) => {
          byNode[node] = (byNode[node] ?? 0) + count * onNode;
        });
      }
    }
    return { sent: total, expected: byNode.reduce((sum, n) => sum + n, 0), byNode };
  }

  private async progress(): Promise<Progress> {
    const parts = await this.pool.all<Progress>(() => ({ type: "progress" }));
    return parts.reduce(
      (sum, part) => ({
        received: sum.received + part.received,
        acks: sum.acks + part.acks,
        stray: sum.stray + part.stray,
        closed: sum.closed + part.closed,
        errors: sum.errors + part.errors,
      }),
      { received: 0, acks: 0, stray: 0, closed: 0, errors: 0 },
    );
  }

  /** Waits until every expected delivery is in, or the drain time is up. */
  private async drain(expected: number, deadlineUs: number): Promise<void> {
    while (nowUs() < deadlineUs) {
      if ((await this.progress()).received >= expected) return;
      await sleep(PROGRESS_POLL_MS);
    }
  }

  private cpuMark(): CpuMark {
    const loadPids = this.pool.pids();
    const serverPids = this.targets.map((target) => target.server.pid);
    const load = loadPids.reduce((total, pid) => total + cpuSeconds(pid), 0);
    return {
      servers: serverPids.map(cpuSeconds),
      load,
      atUs: nowUs(),
      all: sampleCpu([...serverPids, ...loadPids, process.pid]),
    };
  }

  private async score(
    plan: { step: number; durationMs: number },
    ratePerSecond: number,
    sendResults: SendResult[],
    before: CpuMark,
  ): Promise<StepOutcome> {
    const after = this.cpuMark();
    const { sent, expected, byNode: expectedByNode } = this.expectedDeliveries(sendResults);
    const parts = await this.pool.all<Collected>(() => ({ type: "collect" }));
    const deliveries = mergeHistograms(parts.flatMap((part) => part.byNode.map((node) => node.histogram)));
    const acks = mergeHistograms(parts.map((part) => part.ackHistogram));
    const sum = (key: keyof Progress) => parts.reduce((total, part) => total + part[key], 0);
    const received = sum("received");
    const serverCpu = after.servers.map((seconds, node) => seconds - (before.servers[node] ?? 0));
    const outcome: StepOutcome = {
      step: plan.step,
      ratePerSecond,
      durationMs: plan.durationMs,
      sent,
      expected,
      received,
      lost: Math.max(0, expected - received),
      stray: sum("stray"),
      closed: sum("closed"),
      errors: sum("errors"),
      acks: sum("acks"),
      deliveriesPerSecond: received / (plan.durationMs / 1000),
      latency: summarize(deliveries),
      ackLatency: summarize(acks),
      serverCpuSeconds: serverCpu.reduce((total, seconds) => total + seconds, 0),
      loadCpuSeconds: after.load - before.load,
      wallSeconds: (after.atUs - before.atUs) / 1e6,
      otherCpuShare: otherCpuShare(before.all, after.all),
      worstByQuarterSecondMs: worstPerSlot(parts),
    };
    if (this.targets.length > 1) {
      outcome.byNode = this.targets.map((_, node) => {
        const nodeDeliveries = mergeHistograms(parts.flatMap((part) => part.byNode[node]?.histogram ?? []));
        const nodeReceived = parts.reduce((total, part) => total + (part.byNode[node]?.received ?? 0), 0);
        const nodeExpected = expectedByNode[node] ?? 0;
        const result: NodeOutcome = {
          node,
          expected: nodeExpected,
          received: nodeReceived,
          lost: Math.max(0, nodeExpected - nodeReceived),
          deliveriesPerSecond: nodeReceived / (plan.durationMs / 1000),
          latency: summarize(nodeDeliveries),
          serverCpuSeconds: serverCpu[node] ?? 0,
        };
        nodeDeliveries.destroy();
        return result;
      });
    }
    deliveries.destroy();
    acks.destroy();
    return outcome;
  }

  /**
   * Step 0, untimed, with the same senders and rate for `warmUpMs` (at most the plan's duration),
   * so JIT compilation in the servers and the load processes is not what gets measured; then
   * step 1, the measured one.
   */
  async openLoopAfterWarmUp(plan: Omit<OpenLoopPlan, "step">, warmUpMs: number): Promise<StepOutcome> {
    await this.openLoop({ ...plan, step: 0, durationMs: Math.min(warmUpMs, plan.durationMs) });
    return this.openLoop({ ...plan, step: 1 });
  }

  /** One step of fixed-rate sending; bounded by durationMs + drainMs whatever the server does. */
  async openLoop(plan: OpenLoopPlan): Promise<StepOutcome> {
    const senderCount = plan.senders.length;
    if (senderCount === 0) throw new Error("an open loop needs at least one sender");
    const periodUs = (senderCount * 1e6) / plan.ratePerSecond;
    const startUs = nowUs() + LEAD_US;
    const endUs = startUs + plan.durationMs * 1000;
    const before = this.cpuMark();
    const sendResults = await this.pool.all<SendResult>((index) => ({
      type: "openLoop",
      step: plan.step,
      startUs,
      endUs,
      periodUs,
      senders: plan.senders.flatMap((sender, j) =>
        this.owner(sender.conn) === index ? [{ ...sender, phaseUs: (j * periodUs) / senderCount }] : [],
      ),
    }));
    await this.drain(this.expectedDeliveries(sendResults).expected, endUs + plan.drainMs * 1000);
    return this.score(plan, plan.ratePerSecond, sendResults, before);
  }

  /** Senders keep `window` sends awaiting acks; the rate is whatever the server sustains. */
  async closedLoop(plan: ClosedLoopPlan): Promise<StepOutcome & { acksPerSecond: number }> {
    const before = this.cpuMark();
    const sendResults = await this.pool.all<SendResult>((index) => ({
      type: "closedLoop",
      step: plan.step,
      durationMs: plan.durationMs,
      window: plan.window,
      senders: plan.senders.filter((sender) => this.owner(sender.conn) === index),
    }));
    const acksInWindow = sendResults.reduce((total, result) => total + result.acksInWindow, 0);
    await this.drain(this.expectedDeliveries(sendResults).expected, nowUs() + plan.drainMs * 1000);
    const outcome = await this.score(plan, acksInWindow / (plan.durationMs / 1000), sendResults, before);
    return { ...outcome, acksPerSecond: acksInWindow / (plan.durationMs / 1000) };
  }

  /** After an overloaded step: waits until late deliveries stop arriving (the server's backlog is gone). */
  async quiesce(maxMs: number): Promise<void> {
    const deadline = Date.now() + maxMs;
    let last = -1;
    while (Date.now() < deadline) {
      const progress = await this.progress();
      const seen = progress.received + progress.stray;
      if (seen === last) return;
      last = seen;
      await sleep(250);
    }
  }

  async close(): Promise<void> {
    await this.pool.all(() => ({ type: "disconnect" }));
  }
}

function worstPerSlot(parts: readonly Collected[]): number[] {
  const slots = Math.max(0, ...parts.map((part) => part.worstBySlot.length));
  return Array.from(
    { length: slots },
    (_, slot) => Math.round(Math.max(0, ...parts.map((part) => part.worstBySlot[slot] ?? 0)) / 100) / 10,
  );
}

/** Opens a fleet for the duration of `use` and always disconnects it. */
export async function withFleet<T>(
  pool: LoadPool,
  target: RunningTarget | readonly RunningTarget[],
  specs: readonly ConnSpec[],
  use: (fleet: Fleet) => Promise<T>,
  timeoutMs?: number,
): Promise<T> {
  const fleet = await Fleet.open(pool, target, specs, timeoutMs);
  try {
    return await use(fleet);
  } finally {
    await fleet.close();
  }
}
