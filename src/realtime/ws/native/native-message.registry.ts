import { Injectable } from '@nestjs/common';
import type { HubConnection } from '../../hub/hub-connection';

export interface NativeMessageContext {
  conn: HubConnection;
  /** The whole inbound message (`type` plus whatever the feature's frames carry). */
  message: Record<string, unknown>;
  /** Sends this connection a frame through the hub's coalesced write path. */
  reply(text: string): void;
}

/**
 * Handles one native message type. A thrown (or rejected) DomainError becomes an error frame with
 * the matching code and its message; the connection stays open.
 */
export type NativeMessageHandler = (ctx: NativeMessageContext) => Promise<void> | void;

/** Message types that feature modules (chat rooms, feeds, LLM) add to the native protocol. */
@Injectable()
export class NativeMessageRegistry {
  private readonly handlers = new Map<string, NativeMessageHandler>();

  /** Called from a feature module's onModuleInit; a type can be registered once. */
  register(type: string, handler: NativeMessageHandler): void {
    if (this.handlers.has(type)) throw new Error(`Native message type "${type}" is already registered`);
    this.handlers.set(type, handler);
  }

  get(type: unknown): NativeMessageHandler | undefined {
    return typeof type === 'string' ? this.handlers.get(type) : undefined;
  }
}
