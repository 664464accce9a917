/**
 * Delay before reconnect attempt `attempt` (0 for the first after a drop): the base doubled per
 * failed attempt, capped at max, with "equal jitter" — half of it fixed, half random — so a fleet of
 * instances that lost the same upstream does not reconnect in lockstep.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
