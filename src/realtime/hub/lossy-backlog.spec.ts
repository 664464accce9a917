import { LossyBacklog } from './lossy-backlog';

describe('LossyBacklog', () => {
  const frame = (n: number) => Buffer.alloc(10, n);

  it('keeps frames in order while under the bound', () => {
    const b = new LossyBacklog(100);
    for (let i = 0; i < 5; i++) expect(b.push(frame(i))).toBe(0);
    expect([b.shift()![0], b.shift()![0]]).toEqual([0, 1]);
    expect(b.size).toBe(3);
    expect(b.bytes).toBe(30);
  });

  it('drops the oldest frames past the byte bound and counts them', () => {
    const b = new LossyBacklog(30);
    for (let i = 0; i < 10; i++) b.push(frame(i));
    expect(b.dropped).toBe(7);
    expect(b.bytes).toBe(30);
    expect([b.shift()![0], b.shift()![0], b.shift()![0], b.shift()]).toEqual([7, 8, 9, undefined]);
  });

  it('always keeps the newest frame even when it alone exceeds the bound', () => {
    const b = new LossyBacklog(5);
    b.push(frame(1));
    b.push(frame(2));
    expect(b.size).toBe(1);
    expect(b.shift()![0]).toBe(2);
  });
});
