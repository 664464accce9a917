import { constantTimeEqual } from './constant-time';

describe('constantTimeEqual', () => {
  it.each([
    ['equal short strings', 'abc', 'abc', true],
    ['different short strings', 'abc', 'abd', false],
    ['a prefix', 'abc', 'ab', false],
    ['empty strings', '', '', true],
    ['multi-byte strings of the same length in UTF-16', 'é'.repeat(64), 'e'.repeat(64), false],
    ['equal multi-byte strings at the scratch limit', '€'.repeat(64), '€'.repeat(64), true],
    ['equal long strings', 'x'.repeat(65), 'x'.repeat(65), true],
    ['long strings differing at the end', 'x'.repeat(100) + 'a', 'x'.repeat(100) + 'b', false],
    ['a short and a long string', 'x'.repeat(64), 'x'.repeat(65), false],
    ['a string and itself followed by NUL', 'abc', 'abc\u0000', false],
    ['different lone surrogates', 'a\ud800', 'a\udc00', false],
    ['the same text held as a one-byte and as a two-byte string', 'é', 'é€'.slice(0, 1), true],
  ])('compares %s', (_label, a, b, equal) => {
    expect(constantTimeEqual(a, b)).toBe(equal);
    expect(constantTimeEqual(b, a)).toBe(equal);
  });
});
