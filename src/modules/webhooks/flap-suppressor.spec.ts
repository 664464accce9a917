import { FlapSuppressor, LocalFlapStore } from './flap-suppressor';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('FlapSuppressor', () => {
  it('releases a held event when nothing comes back within the window', async () => {
    const f = new FlapSuppressor(new LocalFlapStore(), 60);
    const released: string[] = [];
    await f.hold('c:t:room', () => void released.push('vacated'));
    await sleep(30);
    expect(released).toEqual([]);
    await sleep(60);
    expect(released).toEqual(['vacated']);
    // The window is over: a later "back" is a real one.
    expect(await f.back('c:t:room')).toBe(false);
  });

  it('drops both the held event and the one that came back within the window', async () => {
    const f = new FlapSuppressor(new LocalFlapStore(), 60);
    const released: string[] = [];
    await f.hold('c:t:room', () => void released.push('vacated'));
    expect(await f.back('c:t:room')).toBe(true);
    await sleep(100);
    expect(released).toEqual([]);
    expect(f.size).toBe(0);
  });

  it('keeps keys apart (another channel or user is not cancelled)', async () => {
    const f = new FlapSuppressor(new LocalFlapStore(), 50);
    const released: string[] = [];
    await f.hold('m:t:presence-a:u1', () => void released.push('u1'));
    await f.hold('m:t:presence-a:u2', () => void released.push('u2'));
    expect(await f.back('m:t:presence-a:u1')).toBe(true);
    expect(await f.back('m:t:presence-b:u2')).toBe(false);
    await sleep(90);
    expect(released).toEqual(['u2']);
  });

  it('after gone, back, gone again: only the last gone is released, once', async () => {
    const f = new FlapSuppressor(new LocalFlapStore(), 50);
    const released: number[] = [];
    await f.hold('k', () => void released.push(1));
    expect(await f.back('k')).toBe(true);
    await f.hold('k', () => void released.push(2));
    await sleep(90);
    expect(released).toEqual([2]);
  });

  it('with a zero window passes everything through at once', async () => {
    const f = new FlapSuppressor(new LocalFlapStore(), 0);
    const released: string[] = [];
    await f.hold('k', () => void released.push('vacated'));
    expect(released).toEqual(['vacated']);
    expect(await f.back('k')).toBe(false);
  });

  it('drain waits until a slow release has finished, not just until its timer fired', async () => {
    const f = new FlapSuppressor(new LocalFlapStore(), 30);
    const done: string[] = [];
    await f.hold('k', async () => {
      await sleep(80);
      done.push('logged and enqueued');
    });
    await f.drain();
    expect(done).toEqual(['logged and enqueued']);
  });

  it('flushNow releases held events at once and waits for them', async () => {
    const f = new FlapSuppressor(new LocalFlapStore(), 10_000);
    const done: string[] = [];
    await f.hold('a', async () => {
      await sleep(30);
      done.push('a');
    });
    await f.hold('b', () => void done.push('b'));
    expect(await f.back('b')).toBe(true);
    const started = Date.now();
    await f.flushNow();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(done).toEqual(['a']);
    expect(f.size).toBe(0);
  });

  it('drain waits for held events to be released', async () => {
    const f = new FlapSuppressor(new LocalFlapStore(), 50);
    const released: string[] = [];
    await f.hold('k', () => void released.push('vacated'));
    await f.drain();
    expect(released).toEqual(['vacated']);
  });
});
