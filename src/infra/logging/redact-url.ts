const SENSITIVE = /([?&](?:token|jwt|apiKey|api_key|auth_signature|key)=)[^&]*/gi;

/** Masks credentials carried in a URL's query string (`?token=`, `?jwt=`, ...) before it is logged. */
export function redactUrl(url: string): string {
  return url.replace(SENSITIVE, '$1[REDACTED]');
}
