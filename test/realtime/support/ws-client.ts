import WebSocket from 'ws';

export interface Frame {
  type: string;
  [key: string]: any;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

/**
 * A real `ws` client that records every frame, so tests can wait for the next one matching a
 * predicate or assert that none arrives.
 */
export class TestWsClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<CloseInfo>;
  readonly opened: Promise<void>;
  private cursor = 0;
  private waiters: Array<() => void> = [];

  constructor(readonly ws: WebSocket) {
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    this.opened.catch(() => undefined);
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('error', () => undefined);
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()));
      this.wake();
    });
    ws.on('close', () => this.wake());
  }

  static async open(url: string): Promise<TestWsClient> {
    const client = new TestWsClient(new WebSocket(url));
    await client.opened;
    return client;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next frame (after the ones already taken) that matches; earlier non-matching frames are skipped. */
  async next(match: ((f: Frame) => boolean) | string = () => true, timeoutMs = 5_000): Promise<Frame> {
    const predicate = typeof match === 'string' ? (f: Frame) => f.type === match : match;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.frames.length) {
        const frame = this.frames[this.cursor++];
        if (predicate(frame)) return frame;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`No matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends and waits for the next frame of `replyType` (or an error). */
  async request(message: unknown, replyType: string): Promise<Frame> {
    this.send(message);
    return this.next((f) => f.type === replyType || f.type === 'error');
  }

  /** Resolves true if no frame matching arrives within `ms` (frames seen so far included). */
  async receivesNothing(match: (f: Frame) => boolean, ms = 300): Promise<boolean> {
    await new Promise((r) => setTimeout(r, ms));
    return !this.frames.some(match);
  }

  close(): Promise<CloseInfo> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
    return this.closed;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
  }
}
