/**
 * API key scopes. `*` grants everything; `websocket:*` grants every `websocket:` scope.
 * Tenant scopes only act on a tenant: the key's own tenant, or one its account owns.
 */
export const SCOPE_DESCRIPTIONS = {
  'websocket:subscribe': 'Subscribe to raw feed data over WebSocket',
  'websocket:llm': 'Query the LLM and receive analyses over WebSocket',
  'websocket:topic': 'Subscribe to topic intelligence over WebSocket',
  'websocket:*': 'Every websocket: scope',
  'events:trigger': 'Publish events to channels (REST trigger, Pusher REST events)',
  'channels:read': 'Read channel occupancy and presence members',
  'chat:read': 'Read rooms, messages, receipts and notifications',
  'chat:write': 'Create rooms, post messages, send notifications',
  'webhooks:manage': 'Create, change and inspect webhook endpoints',
  '*': 'Every scope (a tenant-bound key with * is the tenant master key)',
} as const;

export type Scope = keyof typeof SCOPE_DESCRIPTIONS;
export const SCOPES = Object.keys(SCOPE_DESCRIPTIONS) as Scope[];

export function isScope(value: string): value is Scope {
  return Object.prototype.hasOwnProperty.call(SCOPE_DESCRIPTIONS, value);
}

/** Whether `granted` allows `required`. */
export function hasScope(granted: readonly string[], required: Scope): boolean {
  if (granted.includes('*') || granted.includes(required)) return true;
  return required.startsWith('websocket:') && granted.includes('websocket:*');
}
