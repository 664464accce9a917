const cache = new Map<string, RegExp>();
const CACHE_LIMIT = 1_000;

/** `*` matches any run of characters (`:` included), `?` one character; everything else is literal. */
export function globToRegExp(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(`^${body}$`);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(pattern, re);
  }
  return re;
}

/** Whether any of the glob patterns (a token's `channels` claim) matches the channel. */
export function matchesAnyGlob(patterns: readonly string[], channel: string): boolean {
  return patterns.some((p) => globToRegExp(p).test(channel));
}
