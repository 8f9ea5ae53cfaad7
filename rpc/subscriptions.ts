// The subscriptions of one WebSocket connection. Substrate's rules: ids are random 16-character
// strings, a connection holds at most N subscriptions, and a reader too slow to drain its buffer
// loses the subscription rather than making the node hold unbounded memory for it.
import { randomBytes } from "node:crypto";
import { RpcError, RpcErrorCode } from "./jsonrpc.ts";
import type { RegisteredSubscription } from "./method-registry.ts";
import type { Unsubscribe } from "./node-api.ts";
import type { RpcLogger } from "./server-options.ts";

const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

export function randomSubscriptionId(): string {
  let id = "";
  // 248 is the largest multiple of 62 below 256: rejecting higher bytes keeps the ids uniform.
  while (id.length < 16) {
    for (const byte of randomBytes(24)) {
      if (byte < 248 && id.length < 16) id += ID_ALPHABET[byte % 62];
    }
  }
  return id;
}

/** Writes a frame to the socket; `onWritten` runs once it has left the process. */
export type FrameSender = (text: string, onWritten: () => void) => void;

export interface SubscriptionHostOptions {
  send: FrameSender;
  maxSubscriptions: number;
  /** Notifications written but not yet flushed to the socket before a subscription is dropped. */
  messageBuffer: number;
  logger?: RpcLogger | null;
}

interface ActiveSubscription {
  id: string;
  definition: RegisteredSubscription;
  /** Notifications are held until the client has the response carrying the id. */
  live: boolean;
  pending: unknown[];
  endRequested: boolean;
  closed: boolean;
  unsubscribe: Unsubscribe | null;
}

export interface OpenedSubscription {
  id: string;
  /** Call after the response with the id was sent: releases held notifications. */
  activate(): void;
}

export class SubscriptionHost {
  readonly #options: SubscriptionHostOptions;
  readonly #active = new Map<string, ActiveSubscription>();
  #unflushed = 0;
  #closed = false;

  constructor(options: SubscriptionHostOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#active.size;
  }

  async open(
    definition: RegisteredSubscription,
    rawParams: unknown[],
  ): Promise<OpenedSubscription> {
    if (this.#closed) throw new RpcError(RpcErrorCode.INTERNAL_ERROR, "Connection closed");
    const max = this.#options.maxSubscriptions;
    if (this.#active.size >= max) {
      throw new RpcError(
        RpcErrorCode.TOO_MANY_SUBSCRIPTIONS,
        "Too many subscriptions on the connection",
        `Exceeded max limit of ${max}`,
      );
    }
    let id = randomSubscriptionId();
    while (this.#active.has(id)) id = randomSubscriptionId();
    const sub: ActiveSubscription = {
      id,
      definition,
      live: false,
      pending: [],
      endRequested: false,
      closed: false,
      unsubscribe: null,
    };
    // Reserve the slot before starting, so that concurrent subscribes respect the limit.
    this.#active.set(id, sub);
    const emit = (result: unknown) => {
      if (sub.closed) return;
      if (sub.live) this.#deliver(sub, result);
      else sub.pending.push(result);
    };
    const end = () => {
      sub.endRequested = true;
      if (sub.live) this.close(id);
    };
    try {
      sub.unsubscribe = await definition.start(rawParams, emit, end);
    } catch (error) {
      this.#active.delete(id);
      sub.closed = true;
      throw error;
    }
    // The socket went away while the node was starting the stream.
    if (sub.closed) runUnsubscribe(sub, this.#options.logger);
    return { id, activate: () => this.#activate(sub) };
  }

  /** Ends a subscription; false when the id is unknown or belongs to another kind of stream. */
  close(id: string, definition?: RegisteredSubscription): boolean {
    const sub = this.#active.get(id);
    if (!sub || (definition && sub.definition !== definition)) return false;
    this.#active.delete(id);
    sub.closed = true;
    sub.pending = [];
    runUnsubscribe(sub, this.#options.logger);
    return true;
  }

  /** The connection closed: every subscription ends. */
  closeAll(): void {
    this.#closed = true;
    for (const id of [...this.#active.keys()]) this.close(id);
  }

  #activate(sub: ActiveSubscription): void {
    if (sub.closed || sub.live) return;
    sub.live = true;
    const held = sub.pending;
    sub.pending = [];
    for (const result of held) {
      if (sub.closed) return;
      this.#deliver(sub, result);
    }
    if (sub.endRequested) this.close(sub.id);
  }

  #deliver(sub: ActiveSubscription, result: unknown): void {
    if (this.#unflushed >= this.#options.messageBuffer) {
      this.#options.logger?.warn(
        `Subscription buffer limit exceeded for ${sub.definition.notification}: dropping subscription ${sub.id}`,
      );
      this.close(sub.id);
      return;
    }
    let text: string;
    try {
      text = JSON.stringify({
        jsonrpc: "2.0",
        method: sub.definition.notification,
        params: { subscription: sub.id, result },
      });
    } catch (error) {
      this.#options.logger?.warn(`Cannot serialize ${sub.definition.notification}: ${error}`);
      return;
    }
    this.#unflushed++;
    this.#options.send(text, () => {
      this.#unflushed--;
    });
  }
}

function runUnsubscribe(sub: ActiveSubscription, logger: RpcLogger | null | undefined): void {
  const unsubscribe = sub.unsubscribe;
  sub.unsubscribe = null;
  if (!unsubscribe) return;
  try {
    unsubscribe();
  } catch (error) {
    logger?.warn(`Unsubscribing ${sub.definition.subscribe} failed: ${error}`);
  }
}
