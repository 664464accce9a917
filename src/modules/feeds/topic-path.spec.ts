import { extractTopic, parseTopicPath, selectPath, topicPathError } from './topic-path';

const coinbase = { type: 'ticker', product_id: 'BTC-USD', price: '42150.50' };
const binance = { e: '24hrTicker', s: 'ETHUSDT', c: '2035.80' };
const kraken = [119930881, [['42150.50000', '0.00100000', '1770651193.483677', 'b', 'l', '']], 'trade', 'XBT/USD'];
const ris = { type: 'ris_message', data: { origin: 'IGP', path: [41722, 12389, 1299, 174, 40138] } };

describe('topic path grammar', () => {
  it.each([
    ['product_id', coinbase, 'BTC-USD'],
    ['s', binance, 'ETHUSDT'],
    ['$.s', binance, 'ETHUSDT'],
    ['[3]', kraken, 'XBT/USD'],
    ['$[3]', kraken, 'XBT/USD'],
    ['[-1]', kraken, 'XBT/USD'],
    ['data.origin', ris, 'IGP'],
    ['data.path[0]', ris, '41722'],
    ['data.path[-1]', ris, '40138'],
    ['$.data.path[-2]', ris, '174'],
    ["$['data']['path'][-1]", ris, '40138'],
    ['$["type"]', ris, 'ris_message'],
    ['[1][0][3]', kraken, 'b'],
  ])('%s selects the topic', (path, message, topic) => {
    expect(extractTopic(parseTopicPath(path), message)).toBe(topic);
  });

  it('supports names that need brackets, with escapes', () => {
    expect(extractTopic(parseTopicPath("$['product-id']"), { 'product-id': 'x' })).toBe('x');
    expect(extractTopic(parseTopicPath("$['it\\'s']"), { "it's": 'y' })).toBe('y');
    expect(extractTopic(parseTopicPath('$["a.b"]'), { 'a.b': 'z', a: { b: 'no' } })).toBe('z');
  });

  it('yields no topic when nothing scalar is there', () => {
    const p = (s: string) => parseTopicPath(s);
    expect(extractTopic(p('product_id'), { type: 'subscriptions', channels: [] })).toBeNull(); // coinbase ack
    expect(extractTopic(p('s'), { result: null, id: 1 })).toBeNull(); // binance ack
    expect(extractTopic(p('[3]'), { event: 'heartbeat' })).toBeNull(); // kraken object frames
    expect(extractTopic(p('[9]'), kraken)).toBeNull();
    expect(extractTopic(p('[-9]'), kraken)).toBeNull();
    expect(extractTopic(p('data'), ris)).toBeNull(); // an object is not a topic
    expect(extractTopic(p('data.path'), ris)).toBeNull();
    expect(extractTopic(p('x'), { x: null })).toBeNull();
    expect(extractTopic(p('x'), { x: '' })).toBeNull();
    expect(extractTopic(p('x'), { x: 'a'.repeat(201) })).toBeNull();
    expect(extractTopic(p('x'), 'not json')).toBeNull();
    expect(extractTopic(p('length'), 'abc')).toBeNull(); // no properties of strings
    expect(extractTopic(p('toString'), {})).toBeNull(); // only own properties
    expect(extractTopic(p('[0]'), { 0: 'obj' })).toBeNull(); // an index selects only in arrays
    expect(selectPath(p('a.b'), [{ b: 1 }])).toBeUndefined(); // a name selects only in objects
  });

  it('turns numbers and booleans into text', () => {
    expect(extractTopic(parseTopicPath('n'), { n: 2856 })).toBe('2856');
    expect(extractTopic(parseTopicPath('b'), { b: false })).toBe('false');
  });

  it.each([
    ['', /non-empty/],
    ['$', /at least one/],
    ['.a', /expected a field name/],
    ['a.', /expected a field name/],
    ['a..b', /expected a field name/],
    ['a[', /integer index/],
    ['a[]', /integer index/],
    ['a[1', /integer index/],
    ['a[01]', /integer index/],
    ['a[-0]', /integer index/],
    ['a[1.5]', /integer index/],
    ['a[*]', /integer index/],
    ['a[?(@.x)]', /integer index/],
    ['$..a', /expected a field name/],
    ['a b', /unexpected " "/],
    ['a]', /unexpected "\]"/],
    ['1abc', /expected a field name/],
    ['a.1', /expected a field name/],
    ['a-b', /unexpected "-"/],
    ["$['open", /unterminated/],
    ["$['a'", /expected \]/],
    ["$['a\\n']", /escaped quote/],
    ['a'.repeat(257), /at most 256/],
    ['[99999999999999999999]', /out of range/],
  ])('refuses %j', (path, message) => {
    expect(() => parseTopicPath(path)).toThrow(message);
    expect(topicPathError(path)).toMatch(message);
  });

  it('accepts at most 32 steps', () => {
    expect(topicPathError('a' + '[0]'.repeat(31))).toBeNull();
    expect(topicPathError('a' + '[0]'.repeat(32))).toMatch(/at most 32 steps/);
    expect(topicPathError(42)).toMatch(/must be a string/);
  });
});
