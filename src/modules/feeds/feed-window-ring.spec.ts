import { FeedWindowRing } from './feed-window-ring';

describe('FeedWindowRing', () => {
  it('keeps the newest entries, oldest first, and empties on drain', () => {
    const ring = new FeedWindowRing(3);
    expect(ring.drain()).toEqual([]);
    ring.push('a');
    ring.push('b');
    expect(ring.length).toBe(2);
    expect(ring.drain()).toEqual(['a', 'b']);
    expect(ring.length).toBe(0);
    for (const e of ['c', 'd', 'e', 'f', 'g']) ring.push(e);
    expect(ring.length).toBe(3);
    expect(ring.drain()).toEqual(['e', 'f', 'g']);
    ring.push('h');
    expect(ring.drain()).toEqual(['h']);
  });

  it('works with a capacity of one', () => {
    const ring = new FeedWindowRing(1);
    ring.push('a');
    ring.push('b');
    expect(ring.drain()).toEqual(['b']);
  });
});
