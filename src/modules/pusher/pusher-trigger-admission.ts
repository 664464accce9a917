import { performance } from 'node:perf_hooks';
import { PusherHttpError } from './pusher-http.error';
import { TRIGGER_ADMISSION } from './pusher-limits';

type Elu = ReturnType<typeof performance.eventLoopUtilization>;

/**
 * Admission control for the trigger API. Publishing is synchronous (the hub fans out in the turn
 * that receives the publish), so when publishes keep arriving faster than the process delivers
 * them, the backlog is the event loop itself: every turn takes all the publishes that are ready,
 * and every other socket waits behind them.
 *
 * A timer notes each time the loop comes round to its timers, and the event-loop utilisation
 * (smoothed over about `utilisationWindowMs`). While the loop is saturated (utilisation at or above
 * `saturatedUtilisation`), once it has been away from its timers for more than `maxEventLoopLagMs`
 * beyond the timer period, spending that much CPU, with `queuedPublishes` publishes already
 * admitted in that stretch, further publishes are refused with 429 and Retry-After until it comes
 * round again. So a saturated instance keeps its turns short and answers excess publishers at once
 * instead of queueing them. It refuses nothing when it is not saturated, when the stretch is long
 * because single publishes are large (a fan-out to thousands of sockets: nothing is queued behind
 * it but the next few), or when the process was not running (a busy machine: no CPU spent).
 * Per publish: one clock read; per tick, a CPU-time read only while the loop is saturated.
 *
 * The timer runs at `timerPeriodMs` only while publishes arrive. After `idleAfterMs` without one (and
 * the loop not saturated) it slows to `idleTimerPeriodMs`, which still follows the utilisation (the
 * smoothing weighs each tick by the time it covers); the next publish ticks at once and speeds it
 * up again. An idle server so wakes 4 times a second for this instead of 100.
 */
export class TriggerAdmission {
  private lastTick = performance.now();
  /**
   * CPU time at the last tick, read only when that tick left the loop saturated: admit() consults it
   * only then, and reading it (getrusage, which sums every thread of the process) cost 60-170 µs of
   * the event loop per tick on a 2-core VM.
   */
  private lastTickCpu: NodeJS.CpuUsage | null = null;
  private lastElu: Elu = performance.eventLoopUtilization();
  private utilisation = 0;
  private admittedSinceTick = 0;
  /** CPU time is read at most once a millisecond while the wall-clock bound is past. */
  private cpuReadAt = 0;
  private cpuBusy = false;
  /** The tick timer; null once stopped. */
  private timer: NodeJS.Timeout | null;
  /** Whether the timer runs at the idle period (no publish for idleAfterMs). */
  private idle = false;
  /** Ticks in a row that saw no publish (at timerPeriodMs). */
  private quietTicks = 0;
  private readonly limitMs: number;
  private readonly settings = TRIGGER_ADMISSION;
  private readonly tickBound = () => this.tick();

  constructor() {
    this.limitMs = this.settings.timerPeriodMs + this.settings.maxEventLoopLagMs;
    this.timer = setInterval(this.tickBound, this.settings.timerPeriodMs);
    this.timer.unref();
  }

  /** Counts the publish in, or throws 429 when the saturated loop has been publishing a backlog for longer than the bound. */
  admit(): void {
    if (this.idle) this.wake();
    if (
      this.admittedSinceTick >= this.settings.queuedPublishes &&
      this.utilisation >= this.settings.saturatedUtilisation &&
      performance.now() - this.lastTick > this.limitMs &&
      this.busyOnCpu()
    ) {
      throw new PusherHttpError(429, this.settings.message, { 'Retry-After': String(this.settings.retryAfterSeconds) });
    }
    this.admittedSinceTick++;
  }

  /** Ends the timer for good (null from here on: schedule() starts no other). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Whether the timer runs at its idle period. */
  get sleeping(): boolean {
    return this.idle;
  }

  /** Runs the timer at `periodMs` from now on; after stop(), nothing. */
  private schedule(periodMs: number): void {
    if (this.timer === null) return;
    clearInterval(this.timer);
    this.timer = setInterval(this.tickBound, periodMs);
    this.timer.unref();
  }

  /** The first publish after an idle stretch: the utilisation is brought up to date now, and the timer back to its period. */
  private wake(): void {
    this.idle = false;
    this.quietTicks = 0;
    this.tick();
    this.schedule(this.settings.timerPeriodMs);
  }

  private tick(): void {
    const now = performance.now();
    const elu = performance.eventLoopUtilization();
    const window = performance.eventLoopUtilization(elu, this.lastElu);
    // Exponential smoothing over about utilisationWindowMs, weighted by the time this tick covers.
    const weight = 1 - Math.exp(-(now - this.lastTick) / this.settings.utilisationWindowMs);
    this.utilisation += (window.utilization - this.utilisation) * weight;
    this.lastElu = elu;
    this.lastTick = now;
    this.lastTickCpu = this.utilisation >= this.settings.saturatedUtilisation ? process.cpuUsage() : null;
    if (this.admittedSinceTick > 0 || this.lastTickCpu !== null) this.quietTicks = 0;
    else if (!this.idle && ++this.quietTicks * this.settings.timerPeriodMs >= this.settings.idleAfterMs) {
      this.idle = true;
      this.schedule(this.settings.idleTimerPeriodMs);
    }
    this.admittedSinceTick = 0;
  }

  /** Whether the process has spent more than the bound on the CPU since the last tick. */
  private busyOnCpu(): boolean {
    // admit() asks only while the last tick left the loop saturated, and that tick read the CPU time.
    if (this.lastTickCpu === null) return false;
    const now = performance.now();
    if (now - this.cpuReadAt >= 1 || this.cpuReadAt < this.lastTick) {
      const used = process.cpuUsage(this.lastTickCpu);
      this.cpuBusy = (used.user + used.system) / 1000 > this.settings.maxEventLoopLagMs;
      this.cpuReadAt = now;
    }
    return this.cpuBusy;
  }
}
