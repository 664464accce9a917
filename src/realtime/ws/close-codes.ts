/** WebSocket close codes the native protocol uses (documented in the README). */
export const CLOSE_CODES = {
  /** Over 4x WS_MAX_FRAME_BYTES: closed by the ws library itself. */
  MESSAGE_TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
  /** Shutdown or restart: reconnect (to another instance). */
  SERVICE_RESTART: 1012,
  /** Missing, invalid or expired credential; unknown tenant key or tenant. */
  AUTH_FAILED: 4001,
  /** Tenant disabled, or the credential may not act on the tenant named. */
  FORBIDDEN: 4003,
  /** The tenant's plan allows no more connections. */
  OVER_QUOTA: 4004,
  /** `/ws` without a token did not authenticate within WS_AUTH_TIMEOUT_MS. */
  AUTH_TIMEOUT: 4008,
  /** The tenant's backend terminated the user's connections: do not reconnect unchanged. */
  TERMINATED: 4009,
} as const;
