/** An error answered in the Pusher REST API's own shape: `{"error": message, "code": status}`. */
export class PusherHttpError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 413 | 429,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'PusherHttpError';
  }
}
