import { builtinDigest } from './builtin-digest';

describe('builtinDigest', () => {
  it('counts entries and gives first, last, min, max and change of each numeric field, numeric strings and nested fields included', () => {
    const window = [
      { s: 'BTCUSDT', c: '100', v: 5, meta: { depth: 1 } },
      { s: 'BTCUSDT', c: '90', v: 7, meta: { depth: 3 } },
      { s: 'BTCUSDT', c: '120.5', v: 6, meta: { depth: 2 } },
    ];
    expect(builtinDigest(window, 'BTCUSDT')).toBe(
      'Builtin digest of topic BTCUSDT: 3 entries. ' +
        'c went from 100 to 120.5, a change of +20.5 (+20.5%), ranging from 90 to 120.5 over 3 values. ' +
        'meta.depth went from 1 to 2, a change of +1 (+100%), ranging from 1 to 3 over 3 values. ' +
        'v went from 5 to 6, a change of +1 (+20%), ranging from 5 to 7 over 3 values.',
    );
  });

  it('is deterministic and handles falls, zero starts, empty windows and data without numbers', () => {
    const window = [{ x: 0, y: 10 }, { x: 3, y: 4 }];
    expect(builtinDigest(window)).toBe(builtinDigest(window));
    expect(builtinDigest(window)).toContain('x went from 0 to 3, a change of +3, ranging');
    expect(builtinDigest(window)).toContain('y went from 10 to 4, a change of -6 (-60%)');
    expect(builtinDigest([])).toBe('Builtin digest of the feed: no entries yet.');
    expect(builtinDigest([{ s: 'a' }, 'text'])).toBe('Builtin digest of the feed: 2 entries. No numeric fields found.');
  });

  it('describes at most 12 fields and says how many it left out', () => {
    const wide = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`f${String(i).padStart(2, '0')}`, i]));
    const text = builtinDigest([wide]);
    expect(text).toContain('f11 went from');
    expect(text).not.toContain('f12 went from');
    expect(text).toContain('3 more numeric fields are not described.');
  });
});
