interface Route<H> {
  pattern: string;
  regex: RegExp;
  names: string[];
  handler: H;
}

export interface RouteMatch<H> {
  handler: H;
  params: Record<string, string>;
}

/**
 * Path patterns for WebSocket upgrades (`/ws`, `/ws/:tenantKey`, later `/app/:key`): a `:name`
 * segment matches one non-empty path segment; a trailing slash is tolerated. First match wins.
 */
export class UpgradeRouter<H> {
  private readonly routes: Route<H>[] = [];

  add(pattern: string, handler: H): void {
    if (this.routes.some((r) => r.pattern === pattern)) throw new Error(`Upgrade route ${pattern} is already registered`);
    const names: string[] = [];
    const body = pattern
      .split('/')
      .map((segment) => {
        if (segment.startsWith(':')) {
          names.push(segment.slice(1));
          return '([^/]+)';
        }
        return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    this.routes.push({ pattern, regex: new RegExp(`^${body}/?$`), names, handler });
  }

  match(pathname: string): RouteMatch<H> | null {
    for (const route of this.routes) {
      const m = route.regex.exec(pathname);
      if (!m) continue;
      const params: Record<string, string> = {};
      try {
        route.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1])));
      } catch {
        return null; // malformed percent-encoding
      }
      return { handler: route.handler, params };
    }
    return null;
  }
}
