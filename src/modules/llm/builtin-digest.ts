/** Numeric fields described at most, so a wide payload gives a readable digest. */
const MAX_FIELDS = 12;
/** How deep into nested objects (and arrays) fields are looked for. */
const MAX_DEPTH = 3;

interface Series {
  first: number;
  last: number;
  min: number;
  max: number;
  count: number;
}

/**
 * The keyless `builtin` analysis: a deterministic digest of a window of feed entries (oldest
 * first), in plain sentences: how many entries, and per numeric field (numbers and numeric strings,
 * nested fields by dotted path) its first, last, minimum and maximum value and the change from first
 * to last. Same window, same text.
 */
export function builtinDigest(window: readonly unknown[], topic: string | null = null): string {
  const subject = topic ? `topic ${topic}` : 'the feed';
  if (window.length === 0) return `Builtin digest of ${subject}: no entries yet.`;
  const series = new Map<string, Series>();
  for (const entry of window) {
    for (const [path, value] of numericFields(entry, '', 0)) {
      const s = series.get(path);
      if (!s) series.set(path, { first: value, last: value, min: value, max: value, count: 1 });
      else {
        s.last = value;
        s.min = Math.min(s.min, value);
        s.max = Math.max(s.max, value);
        s.count++;
      }
    }
  }
  const sentences = [`Builtin digest of ${subject}: ${window.length} ${window.length === 1 ? 'entry' : 'entries'}.`];
  const fields = [...series.entries()].sort(([a], [b]) => a.localeCompare(b));
  for (const [path, s] of fields.slice(0, MAX_FIELDS)) sentences.push(describe(path, s));
  if (fields.length > MAX_FIELDS) sentences.push(`${fields.length - MAX_FIELDS} more numeric fields are not described.`);
  if (fields.length === 0) sentences.push('No numeric fields found.');
  return sentences.join(' ');
}

function describe(path: string, s: Series): string {
  const change = s.last - s.first;
  const pct = s.first !== 0 ? ` (${sign(change)}${fmt((change / Math.abs(s.first)) * 100)}%)` : '';
  return `${path} went from ${fmt(s.first)} to ${fmt(s.last)}, a change of ${sign(change)}${fmt(change)}${pct}, ranging from ${fmt(s.min)} to ${fmt(s.max)} over ${s.count} ${s.count === 1 ? 'value' : 'values'}.`;
}

const sign = (n: number) => (n > 0 ? '+' : '');

/** Up to 8 significant digits, without float noise or exponent for ordinary magnitudes. */
function fmt(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(Number(n.toPrecision(8)));
}

function* numericFields(value: unknown, path: string, depth: number): Generator<[string, number]> {
  if (typeof value === 'number' && Number.isFinite(value)) {
    if (path) yield [path, value];
    return;
  }
  if (typeof value === 'string' && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value.trim()) && path) {
    const n = Number(value);
    if (Number.isFinite(n)) yield [path, n];
    return;
  }
  if (depth >= MAX_DEPTH || value === null || typeof value !== 'object') return;
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value as Record<string, unknown>);
  for (const [k, v] of entries) yield* numericFields(v, path ? `${path}.${k}` : k, depth + 1);
}
