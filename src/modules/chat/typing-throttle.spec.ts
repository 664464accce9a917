import { TypingThrottle } from './typing-throttle';

describe('TypingThrottle', () => {
  it('relays the first start, drops repeats within the period, relays again after it', () => {
    const t = new TypingThrottle(2_000);
    expect(t.shouldRelay('k', true, 0)).toBe(true);
    expect(t.shouldRelay('k', true, 500)).toBe(false);
    expect(t.shouldRelay('k', true, 1_999)).toBe(false);
    expect(t.shouldRelay('k', true, 2_000)).toBe(true);
  });

  it('relays a stop only after a relayed start, and a start right after a stop', () => {
    const t = new TypingThrottle(2_000);
    expect(t.shouldRelay('k', false, 0)).toBe(false);
    expect(t.shouldRelay('k', true, 10)).toBe(true);
    expect(t.shouldRelay('k', false, 20)).toBe(true);
    expect(t.shouldRelay('k', false, 30)).toBe(false);
    expect(t.shouldRelay('k', true, 40)).toBe(true);
  });

  it('keeps users and rooms apart', () => {
    const t = new TypingThrottle(2_000);
    expect(t.shouldRelay('a', true, 0)).toBe(true);
    expect(t.shouldRelay('b', true, 0)).toBe(true);
  });

  it('bounds its memory', () => {
    const t = new TypingThrottle(1_000, 2);
    t.shouldRelay('a', true, 0);
    t.shouldRelay('b', true, 0);
    expect(t.shouldRelay('c', true, 5_000)).toBe(true);
    expect(t.shouldRelay('a', true, 5_001)).toBe(true);
  });
});
