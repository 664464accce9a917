const COMMON = new Set([
  'password', 'password1', 'password12', 'password123', 'password1234', 'passw0rd', 'qwerty', 'qwerty123',
  'qwertyuiop', '123456789', '1234567890', 'letmein', 'welcome', 'welcome1', 'iloveyou', 'admin', 'administrator',
  'changeme', 'changeme123', 'secret', 'football', 'baseball', 'dragon', 'monkey', 'sunshine', 'princess',
]);

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;

/**
 * Returns why a password is too weak, or null when it is acceptable: at least 10 characters (at
 * most 128, which bounds hashing cost), three of four character classes, not a common password,
 * and not built on the e-mail's local part.
 */
export function passwordWeakness(password: string, email: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) return `Password must be at least ${PASSWORD_MIN_LENGTH} characters long`;
  if (password.length > PASSWORD_MAX_LENGTH) return `Password must be at most ${PASSWORD_MAX_LENGTH} characters long`;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (classes < 3) {
    return 'Password must contain at least three of: lower-case letters, upper-case letters, digits, symbols';
  }
  const lower = password.toLowerCase();
  const stripped = lower.replace(/[^a-z]/g, '');
  if (COMMON.has(lower) || COMMON.has(stripped)) return 'Password is too common';
  const local = email.split('@')[0]?.toLowerCase() ?? '';
  if (local.length >= 4 && lower.includes(local)) return 'Password must not contain your e-mail address';
  return null;
}
