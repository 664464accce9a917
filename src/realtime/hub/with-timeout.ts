/** Bus subscriptions and cluster reads/writes that take longer than this fail (e.g. Redis unreachable). */
const CLUSTER_OP_TIMEOUT_MS = 5_000;
/** How often the shared sweep looks for overdue operations (so a timeout fires within this much of its due time). */
const SWEEP_MS = 250;

interface Deadline {
  due: number;
  settled: boolean;
  reject: (e: Error) => void;
}

/**
 * Pending operations in start order. They all have the same timeout, so they are also in due order:
 * one interval timer rejects the overdue ones at the head, instead of a timer (and a Promise.race)
 * per operation on the connect and subscribe paths.
 */
const deadlines: Deadline[] = [];
let head = 0;
let sweeper: NodeJS.Timeout | undefined;

function sweep(): void {
  const now = Date.now();
  while (head < deadlines.length) {
    const d = deadlines[head];
    if (!d.settled) {
      if (d.due > now) break;
      d.settled = true;
      d.reject(new Error('Cluster operation timed out'));
    }
    head++;
  }
  if (head === deadlines.length) {
    deadlines.length = 0;
    head = 0;
    clearInterval(sweeper);
    sweeper = undefined;
  } else if (head > 1024) {
    deadlines.splice(0, head);
    head = 0;
  }
}

export function withTimeout<T>(p: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const d: Deadline = { due: Date.now() + CLUSTER_OP_TIMEOUT_MS, settled: false, reject };
    deadlines.push(d);
    if (!sweeper) {
      sweeper = setInterval(sweep, SWEEP_MS);
      sweeper.unref();
    }
    p.then(
      (v) => {
        if (d.settled) return;
        d.settled = true;
        resolve(v);
      },
      (e: unknown) => {
        if (d.settled) return;
        d.settled = true;
        reject(e as Error);
      },
    );
  });
}
