import { PresenceRoster } from './presence-roster';

describe('PresenceRoster', () => {
  it('a user with several connections is one member, joined on the first and left on the last', () => {
    const roster = new PresenceRoster();
    expect(roster.join('c1', 'alice', { name: 'Alice' })).toBe(true);
    expect(roster.join('c2', 'alice', { name: 'Alice (tab 2)' })).toBe(false);
    expect(roster.join('c3', 'bob', null)).toBe(true);
    expect(roster.size).toBe(2);
    expect(roster.list()).toEqual([
      { userId: 'alice', userInfo: { name: 'Alice' } },
      { userId: 'bob', userInfo: null },
    ]);
    expect(roster.leave('c1')).toEqual({ userId: 'alice', last: false });
    expect(roster.size).toBe(2);
    expect(roster.leave('c2')).toEqual({ userId: 'alice', last: true });
    expect(roster.list()).toEqual([{ userId: 'bob', userInfo: null }]);
  });

  it('ignores a connection joining twice or leaving without having joined', () => {
    const roster = new PresenceRoster();
    roster.join('c1', 'alice', null);
    expect(roster.join('c1', 'alice', null)).toBe(false);
    expect(roster.leave('c1')).toEqual({ userId: 'alice', last: true });
    expect(roster.leave('c1')).toBeNull();
    expect(roster.leave('never')).toBeNull();
    expect(roster.size).toBe(0);
  });

  it('knows which user a connection is', () => {
    const roster = new PresenceRoster();
    roster.join('c9', 'zoe', null);
    expect(roster.userOf('c9')).toBe('zoe');
    expect(roster.userOf('c1')).toBeUndefined();
  });
});
