import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { validationError } from '../../common/domain-error';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.token';
import type { MessageResponseDto } from './dto/message.dto';
import { MessageRepository, MessageRow, NewMessage, StoredBatch, StoredRoom } from './message.repository';

/** What became of one submitted message. */
export type BatchOutcome =
  /** `view`: the message as onStored delivered it, for the sender's answer (absent if delivery threw). */
  | { kind: 'created'; message: MessageRow; room: StoredRoom; view?: MessageResponseDto }
  /** The sender had already stored this clientMessageId in the room: the first message. */
  | { kind: 'duplicate'; message: MessageRow }
  /** The sender is not a member of the room (or the room is gone). */
  | { kind: 'not-member' };

export interface BatchItem {
  message: NewMessage;
  /**
   * Called once the message is committed, before any outcome of its batch is settled, in room
   * order: where delivery happens, so that a room's messages go out in the order of their seq.
   * Returns the message as it was delivered.
   */
  onStored(message: MessageRow, room: StoredRoom): MessageResponseDto;
}

interface Lane {
  pending: Pending[];
  scheduled: boolean;
  committing: boolean;
}

interface Pending {
  item: BatchItem;
  resolve(outcome: BatchOutcome): void;
  reject(error: unknown): void;
}

/**
 * Group commit of chat messages. Messages submitted in the same event-loop turn (or within
 * CHAT_BATCH_WINDOW_MS of the first), and all those submitted while a batch is committing, are
 * stored by one multi-row INSERT — one statement, one transaction, one WAL flush with
 * `synchronous_commit` on — and then delivered and acknowledged together, with no await per
 * message. Rooms are spread over CHAT_BATCH_LANES lanes; in a lane one batch commits at a time and
 * a room always uses the same lane, so a room's history order (seq), its timestamps and its
 * delivery order agree.
 *
 * Each message keeps its own outcome: a retried clientMessageId finds the first message (in an
 * earlier batch or earlier in the same one); a sender who is not a member stores nothing; and if
 * the batch statement fails (a payload Postgres refuses), its messages are stored one by one so
 * that only the bad one fails.
 */
@Injectable()
export class MessageBatcher implements BeforeApplicationShutdown {
  private readonly logger = new Logger('ChatMessages');
  private readonly windowMs: number;
  private readonly maxMessages: number;
  private readonly lanes: Lane[];
  /** Batches taken and not yet settled (committing, or being delivered and acknowledged). */
  private open = 0;
  private idle: (() => void)[] = [];

  constructor(
    private readonly repository: MessageRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.windowMs = config.chat.batchWindowMs;
    this.maxMessages = config.chat.batchMaxMessages;
    this.lanes = Array.from({ length: config.chat.batchLanes }, () => ({ pending: [], scheduled: false, committing: false }));
  }

  submit(item: BatchItem): Promise<BatchOutcome> {
    // A room always uses the same lane: its batches commit one after another, in order.
    const lane = this.lanes.length === 1 ? this.lanes[0] : this.lanes[laneOf(item.message.roomId, this.lanes.length)];
    return new Promise<BatchOutcome>((resolve, reject) => {
      lane.pending.push({ item, resolve, reject });
      this.schedule(lane);
    });
  }

  /** Messages already submitted are stored and settled before the database closes. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.isIdle()) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private schedule(lane: Lane): void {
    if (lane.committing || lane.scheduled) return;
    lane.scheduled = true;
    if (this.windowMs > 0) setTimeout(() => this.flush(lane), this.windowMs);
    else setImmediate(() => this.flush(lane));
  }

  private flush(lane: Lane): void {
    lane.scheduled = false;
    if (lane.committing) return;
    if (lane.pending.length === 0) return this.checkIdle();
    const batch = lane.pending.length <= this.maxMessages ? lane.pending : lane.pending.slice(0, this.maxMessages);
    lane.pending = batch === lane.pending ? [] : lane.pending.slice(batch.length);
    lane.committing = true;
    this.open++;
    let released = false;
    // Once the batch is committed the lane's next one may go (its seqs and timestamps come after
    // this one's): Postgres stores it while this process delivers and acknowledges this one.
    const release = () => {
      if (released) return;
      released = true;
      lane.committing = false;
      if (lane.pending.length > 0) this.flush(lane);
    };
    this.commit(batch, release)
      .catch((e: unknown) => {
        // commit settles every message itself; this is a bug guard, never a silent loss.
        this.logger.error({ err: e }, 'Chat message batch failed unexpectedly');
        for (const p of batch) p.reject(e);
      })
      .finally(() => {
        release();
        this.open--;
        this.checkIdle();
      });
  }

  private isIdle(): boolean {
    return this.open === 0 && this.lanes.every((l) => !l.scheduled && l.pending.length === 0);
  }

  private checkIdle(): void {
    if (this.idle.length > 0 && this.isIdle()) for (const done of this.idle.splice(0)) done();
  }

  private async commit(batch: Pending[], committed: () => void): Promise<void> {
    let stored: StoredBatch;
    try {
      stored = await this.repository.insertBatch(batch.map((p) => p.item.message));
    } catch (e) {
      if (batch.length === 1) return this.fail(batch[0], e);
      // One statement failed for everyone: store them one by one, in order, so that each sender
      // gets their own outcome and only the culprit fails.
      for (const p of batch) await this.commit([p], () => undefined);
      return;
    }
    committed();
    await this.settle(batch, stored);
  }

  private async settle(batch: Pending[], { stored, rooms }: StoredBatch): Promise<void> {
    const byId = new Map<string, Pending>();
    for (const p of batch) byId.set(p.item.message.id, p);
    // Deliver everything first, in room order, then acknowledge.
    const created: { p: Pending; outcome: BatchOutcome }[] = [];
    for (const row of stored) {
      const p = byId.get(row.id)!;
      byId.delete(row.id);
      const m = p.item.message;
      const message: MessageRow = {
        id: row.id,
        seq: row.seq,
        roomId: m.roomId,
        senderId: m.senderId,
        payload: m.payload,
        clientMessageId: m.clientMessageId,
        createdAt: row.createdAt,
        editedAt: null,
        deletedAt: null,
      };
      const room = rooms.get(m.roomId)!;
      let view: MessageResponseDto | undefined;
      try {
        view = p.item.onStored(message, room);
      } catch (e) {
        this.logger.error({ err: e, messageId: row.id }, 'Could not deliver a stored chat message');
      }
      created.push({ p, outcome: { kind: 'created', message, room, view } });
    }
    for (const c of created) c.p.resolve(c.outcome);
    if (byId.size === 0) return;
    const rest = [...byId.values()];
    const retried = rest.filter((p) => p.item.message.clientMessageId !== null);
    let firsts = new Map<string, MessageRow>();
    if (retried.length > 0) {
      try {
        const rows = await this.repository.findRetried(retried.map((p) => p.item.message as NewMessage & { clientMessageId: string }));
        firsts = new Map(rows.map((r) => [retryKey(r.roomId, r.senderId, r.clientMessageId!), r]));
      } catch (e) {
        for (const p of retried) p.reject(e);
        for (const p of rest) if (p.item.message.clientMessageId === null) p.resolve({ kind: 'not-member' });
        return;
      }
    }
    for (const p of rest) {
      const m = p.item.message;
      const first = m.clientMessageId === null ? undefined : firsts.get(retryKey(m.roomId, m.senderId, m.clientMessageId));
      p.resolve(first ? { kind: 'duplicate', message: first } : { kind: 'not-member' });
    }
  }

  private fail(p: Pending, e: unknown): void {
    const code = (e as { code?: unknown }).code;
    // A room deleted while the message was on its way: the sender is no longer in it.
    if (code === '23503') return p.resolve({ kind: 'not-member' });
    // Data exceptions (class 22): JSON that Postgres cannot store, such as \u0000 in a string.
    if (typeof code === 'string' && code.startsWith('22')) {
      return p.reject(validationError(`Payload cannot be stored: ${(e as Error).message}`));
    }
    p.reject(e);
  }
}

/** A room's lane: from the first 8 hex digits of its (random) uuid. */
const laneOf = (roomId: string, lanes: number): number => parseInt(roomId.slice(0, 8), 16) % lanes;

const retryKey = (roomId: string, senderId: string, clientMessageId: string): string => `${roomId}\n${senderId}\n${clientMessageId}`;
