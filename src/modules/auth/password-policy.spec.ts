import { passwordWeakness } from './password-policy';

describe('passwordWeakness', () => {
  it('accepts a long mixed password', () => {
    expect(passwordWeakness('SecurePassword123!', 'ada@example.com')).toBeNull();
  });

  it.each([
    ['Short1!', /at least 10 characters/],
    ['alllowercaseletters', /three of/],
    ['ALLUPPER1234!', null],
    ['ALLUPPER1234', /three of/],
    ['Password123', /too common/],
    ['Ada.Lovelace-99', /e-mail/],
    ['Aa1!'.repeat(40), /at most 128/],
  ])('%s', (password, expected) => {
    const result = passwordWeakness(password, 'ada.lovelace@example.com');
    if (expected === null) expect(result).toBeNull();
    else expect(result).toMatch(expected);
  });
});
