/** The `/api` success envelope. Extra top-level fields that a seed shows (token, user, message, count, key) go beside it. */
export interface ApiEnvelope<T> {
  success: true;
  data: T;
}

export function ok<T>(data: T): ApiEnvelope<T> {
  return { success: true, data };
}
