import { PusherHttpError } from './pusher-http.error';
import { TRIGGER_ADMISSION } from './pusher-limits';
import { TriggerAdmission } from './pusher-trigger-admission';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Spends `ms` of this process's CPU time in one turn. */
function spinCpu(ms: number): void {
  const start = process.cpuUsage();
  for (;;) {
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= ms) return;
  }
}

/** Busy turns of 20 ms back to back (timers still run between them) for `ms`. */
async function saturate(ms: number): Promise<void> {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    const end = performance.now() + 20;
    while (performance.now() < end);
    await new Promise((r) => setImmediate(r));
  }
}

/** Publishes in one turn: four admitted at once, then one after the turn has run past the bound. */
function burst(admission: TriggerAdmission): Array<number> {
  const answers: number[] = [];
  const one = () => {
    try {
      admission.admit();
      answers.push(200);
    } catch (e) {
      answers.push((e as PusherHttpError).status);
    }
  };
  for (let i = 0; i < 4; i++) one();
  spinCpu(TRIGGER_ADMISSION.timerPeriodMs + TRIGGER_ADMISSION.maxEventLoopLagMs + 20);
  one();
  return answers;
}

describe('TriggerAdmission', () => {
  let admission: TriggerAdmission;
  afterEach(() => admission.stop());

  it('slows its timer after a second without publishes, and the next publish speeds it up again', async () => {
    admission = new TriggerAdmission();
    admission.admit();
    await sleep(TRIGGER_ADMISSION.idleAfterMs / 2);
    expect(admission.sleeping).toBe(false);
    await sleep(TRIGGER_ADMISSION.idleAfterMs + 200);
    expect(admission.sleeping).toBe(true);
    admission.admit();
    expect(admission.sleeping).toBe(false);
  });

  it('refuses a backlog in a saturated loop even when the timer was idle before it', async () => {
    admission = new TriggerAdmission();
    await sleep(TRIGGER_ADMISSION.idleAfterMs + 200);
    expect(admission.sleeping).toBe(true);
    // Saturated by other work (no publishes), the slow timer still follows the utilisation.
    await saturate(1000);
    expect(admission.sleeping).toBe(true);
    expect(burst(admission)).toEqual([200, 200, 200, 200, 429]);
  });

  it('refuses nothing in a loop that is not saturated, idle timer or not', async () => {
    admission = new TriggerAdmission();
    await sleep(TRIGGER_ADMISSION.idleAfterMs + 200);
    expect(burst(admission)).toEqual([200, 200, 200, 200, 200]);
    await sleep(50);
    expect(burst(admission)).toEqual([200, 200, 200, 200, 200]);
  });
});
