import { globToRegExp, matchesAnyGlob } from './glob';

describe('channel globs', () => {
  it('* matches any run of characters, ? exactly one', () => {
    expect(matchesAnyGlob(['private-team-42-*'], 'private-team-42-general')).toBe(true);
    expect(matchesAnyGlob(['private-team-42-*'], 'private-team-42-')).toBe(true);
    expect(matchesAnyGlob(['private-team-42-*'], 'private-team-43-general')).toBe(false);
    expect(matchesAnyGlob(['presence-room-?'], 'presence-room-1')).toBe(true);
    expect(matchesAnyGlob(['presence-room-?'], 'presence-room-12')).toBe(false);
    expect(matchesAnyGlob(['*'], 'anything:at-all')).toBe(true);
  });

  it('is anchored and treats regex characters literally', () => {
    expect(matchesAnyGlob(['private-a'], 'private-ab')).toBe(false);
    expect(matchesAnyGlob(['private-a'], 'xprivate-a')).toBe(false);
    expect(matchesAnyGlob(['private-a.b'], 'private-aXb')).toBe(false);
    expect(matchesAnyGlob(['private-(a|b)'], 'private-a')).toBe(false);
    expect(globToRegExp('a+b').test('a+b')).toBe(true);
  });

  it('no patterns match nothing', () => {
    expect(matchesAnyGlob([], 'private-x')).toBe(false);
  });
});
