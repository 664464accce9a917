/** Bus subscriptions and cluster reads/writes that take longer than this fail (e.g. Redis unreachable). */
const CLUSTER_OP_TIMEOUT_MS = 5_000;

export function withTimeout<T>(p: Promise<T>, ms = CLUSTER_OP_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('Cluster operation timed out')), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
