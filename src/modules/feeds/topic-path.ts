/**
 * The `topicField` path of a topic-routed feed (seed 003's syntax): `symbol`, `data.origin`, `[3]`,
 * `path[0]`, `path[-1]`, `data.path[-1]`. It is a subset of RFC 9535 JSONPath restricted to singular
 * queries (child segments only) — `$`, `.name`, `['name']` / `["name"]`, `[index]` with negative
 * indexes counting from the end — with one leniency of the seed: the leading `$` may be left out, and
 * then the path may start with a bare name (`symbol` = `$.symbol`) or an index (`[3]` = `$[3]`).
 * Names after a dot follow RFC 9535's member-name-shorthand (a letter, `_` or non-ASCII, then also
 * digits); any other name is written in brackets: `$['product-id']`.
 */
export type TopicPathStep = { kind: 'name'; name: string } | { kind: 'index'; index: number };

export interface TopicPath {
  readonly source: string;
  readonly steps: readonly TopicPathStep[];
}

export class TopicPathError extends Error {}

export const MAX_TOPIC_PATH_LENGTH = 256;
export const MAX_TOPIC_PATH_STEPS = 32;
/** Longer values are not topics (a topic names channels and Redis keys). */
export const MAX_TOPIC_LENGTH = 200;

const NAME_FIRST = /[A-Za-z_\u0080-\uffff]/;
const NAME_CHAR = /[A-Za-z0-9_\u0080-\uffff]/;

/** Parses a path; throws TopicPathError saying what is wrong and where. */
export function parseTopicPath(source: string): TopicPath {
  if (typeof source !== 'string' || source.length === 0) throw new TopicPathError('topicField must be a non-empty path');
  if (source.length > MAX_TOPIC_PATH_LENGTH) throw new TopicPathError(`topicField must be at most ${MAX_TOPIC_PATH_LENGTH} characters`);
  const steps: TopicPathStep[] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw new TopicPathError(`Invalid topicField "${source}" at position ${i}: ${what}`);
  };
  const readName = (): string => {
    const start = i;
    if (i >= source.length || !NAME_FIRST.test(source[i])) fail('expected a field name (a letter, _ or non-ASCII first; use [\'name\'] for others)');
    i++;
    while (i < source.length && NAME_CHAR.test(source[i])) i++;
    return source.slice(start, i);
  };
  if (source[0] === '$') {
    i = 1;
    if (i === source.length) fail('a path needs at least one field or index after $');
  } else if (source[0] !== '[') {
    steps.push({ kind: 'name', name: readName() });
  }
  while (i < source.length) {
    const c = source[i];
    if (c === '.') {
      i++;
      steps.push({ kind: 'name', name: readName() });
    } else if (c === '[') {
      i++;
      steps.push(readBracket());
    } else {
      fail(`unexpected "${c}"`);
    }
    if (steps.length > MAX_TOPIC_PATH_STEPS) fail(`at most ${MAX_TOPIC_PATH_STEPS} steps`);
  }
  return { source, steps };

  function readBracket(): TopicPathStep {
    const q = source[i];
    if (q === "'" || q === '"') {
      i++;
      let name = '';
      for (;;) {
        if (i >= source.length) fail('unterminated quoted name');
        const ch = source[i];
        if (ch === q) break;
        if (ch === '\\') {
          const next = source[i + 1];
          if (next !== q && next !== '\\') fail('only \\\\ and an escaped quote are supported in quoted names');
          name += next;
          i += 2;
          continue;
        }
        name += ch;
        i++;
      }
      i++;
      if (source[i] !== ']') fail('expected ]');
      i++;
      return { kind: 'name', name };
    }
    const m = /^(0|-?[1-9][0-9]*)\]/.exec(source.slice(i));
    if (!m) fail('expected an integer index (0, 3, -1) or a quoted name');
    const index = Number(m![1]);
    if (!Number.isSafeInteger(index)) fail('index out of range');
    i += m![0].length;
    return { kind: 'index', index };
  }
}

/** The value the path selects in `value`, or undefined when nothing is there. */
export function selectPath(path: TopicPath, value: unknown): unknown {
  let current = value;
  for (const step of path.steps) {
    if (step.kind === 'index') {
      if (!Array.isArray(current)) return undefined;
      const at = step.index < 0 ? current.length + step.index : step.index;
      if (at < 0 || at >= current.length) return undefined;
      current = current[at];
    } else {
      if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
      if (!Object.prototype.hasOwnProperty.call(current, step.name)) return undefined;
      current = (current as Record<string, unknown>)[step.name];
    }
  }
  return current;
}

/**
 * The topic of a message: the selected value when it is a string, number or boolean (numbers such as
 * an AS number `40138` become `"40138"`), non-empty and at most MAX_TOPIC_LENGTH characters; else null.
 */
export function extractTopic(path: TopicPath, message: unknown): string | null {
  const v = selectPath(path, message);
  let topic: string;
  if (typeof v === 'string') topic = v;
  else if ((typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean') topic = String(v);
  else return null;
  return topic.length > 0 && topic.length <= MAX_TOPIC_LENGTH ? topic : null;
}

/** Why the path is not acceptable, or null. */
export function topicPathError(source: unknown): string | null {
  if (typeof source !== 'string') return 'topicField must be a string';
  try {
    parseTopicPath(source);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
