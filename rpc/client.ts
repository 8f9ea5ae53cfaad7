// Typed JSON-RPC clients for a Lineage node: `RpcClient` over WebSocket (requests and
// subscriptions) and `HttpRpcClient` over HTTP POST (requests only). They use the platform's
// WebSocket and fetch, so the same code runs in Node (CLI wallet, tests, simulator) and browsers
// (explorer).
import {
  type AttestationRpc,
  type AttributionRpc,
  type AuthorRpc,
  bindRpcApi,
  type ChainRpc,
  type CouncilRpc,
  type EmissionRpc,
  type GrandpaRpc,
  type LineageRpcApi,
  type ParamsRpc,
  type PaymentRpc,
  type RegistryRpc,
  type RpcMethodsRpc,
  type StateRpc,
  type SystemRpc,
} from "./client-api.ts";
import type { JsonRpcErrorObject } from "./jsonrpc.ts";
import type { Hex, RpcHeader, RpcTransactionStatus } from "./node-api.ts";
import { isFinalTransactionStatus } from "./transaction-status.ts";

/** The node answered with a JSON-RPC error: `code`, `message` and `data` as sent. */
export class RpcClientError extends Error {
  readonly code: number;
  readonly data: unknown;
  constructor(error: JsonRpcErrorObject) {
    super(error.message);
    this.name = "RpcClientError";
    this.code = error.code;
    this.data = error.data;
  }

  /** One readable line for a CLI: the message and, when the node gave one, the reason. */
  describe(): string {
    return this.data === undefined || this.data === null
      ? this.message
      : `${this.message}: ${typeof this.data === "string" ? this.data : JSON.stringify(this.data)}`;
  }
}

/** The request never got an answer: timeout, refused or closed connection, HTTP failure. */
export class RpcTransportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "RpcTransportError";
  }
}

export interface Subscription {
  readonly id: string;
  /** Asks the node to stop; false when the node no longer knew the subscription. */
  unsubscribe(): Promise<boolean>;
}

export interface RpcClientOptions {
  /** Per request, in milliseconds (default 30 s). */
  timeoutMs?: number;
  /** Called once when a WebSocket connection ends without `close()` being called. */
  onDisconnect?: (reason: string) => void;
}

const DEFAULT_TIMEOUT_MS = 30_000;

interface PendingRequest {
  method: string;
  resolve(result: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
  /** For subscribe calls: registered before resolving so no notification can slip by. */
  onSubscribed?: (id: string) => void;
}

interface ResponseMessage {
  id?: unknown;
  result?: unknown;
  error?: JsonRpcErrorObject;
  method?: string;
  params?: { subscription?: unknown; result?: unknown };
}

export interface WsChainRpc extends ChainRpc {
  subscribeNewHeads(onHeader: (header: RpcHeader) => void): Promise<Subscription>;
  subscribeFinalizedHeads(onHeader: (header: RpcHeader) => void): Promise<Subscription>;
}

export interface WsAuthorRpc extends AuthorRpc {
  /** Submits and follows a transaction; the stream ends itself after a final status. */
  submitAndWatchExtrinsic(
    extrinsic: Hex,
    onStatus: (status: RpcTransactionStatus) => void,
  ): Promise<Subscription>;
}

export class RpcClient implements LineageRpcApi {
  readonly system: SystemRpc;
  readonly chain: WsChainRpc;
  readonly state: StateRpc;
  readonly author: WsAuthorRpc;
  readonly payment: PaymentRpc;
  readonly grandpa: GrandpaRpc;
  readonly params: ParamsRpc;
  readonly council: CouncilRpc;
  readonly registry: RegistryRpc;
  readonly attribution: AttributionRpc;
  readonly attestation: AttestationRpc;
  readonly emission: EmissionRpc;
  readonly rpc: RpcMethodsRpc;
  readonly #socket: WebSocket;
  readonly #timeoutMs: number;
  readonly #onDisconnect: ((reason: string) => void) | undefined;
  readonly #pending = new Map<number, PendingRequest>();
  readonly #subscriptions = new Map<string, (result: unknown) => void>();
  #nextId = 1;
  #closing = false;
  #closed: Promise<void>;

  /** Opens a WebSocket to `url` (e.g. ws://127.0.0.1:9944) and resolves once it is open. */
  static connect(url: string, options: RpcClientOptions = {}): Promise<RpcClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      const onError = () => {
        cleanup();
        reject(new RpcTransportError(`cannot connect to ${url}`));
      };
      const onOpen = () => {
        cleanup();
        resolve(new RpcClient(socket, options));
      };
      const cleanup = () => {
        socket.removeEventListener("error", onError);
        socket.removeEventListener("open", onOpen);
      };
      socket.addEventListener("error", onError);
      socket.addEventListener("open", onOpen);
    });
  }

  private constructor(socket: WebSocket, options: RpcClientOptions) {
    this.#socket = socket;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#onDisconnect = options.onDisconnect;
    socket.addEventListener("message", (event) => this.#onMessage(event.data));
    this.#closed = new Promise((resolve) => {
      socket.addEventListener("close", (event) => {
        const reason = `connection closed (${event.code}${event.reason ? ` ${event.reason}` : ""})`;
        this.#failAll(reason);
        if (!this.#closing) this.#onDisconnect?.(reason);
        resolve();
      });
    });
    const api = bindRpcApi((method, params) => this.request(method, params));
    this.system = api.system;
    this.state = api.state;
    this.payment = api.payment;
    this.grandpa = api.grandpa;
    this.params = api.params;
    this.council = api.council;
    this.registry = api.registry;
    this.attribution = api.attribution;
    this.attestation = api.attestation;
    this.emission = api.emission;
    this.rpc = api.rpc;
    this.chain = {
      ...api.chain,
      subscribeNewHeads: (onHeader) => this.subscribeNewHeads(onHeader),
      subscribeFinalizedHeads: (onHeader) => this.subscribeFinalizedHeads(onHeader),
    };
    this.author = {
      ...api.author,
      submitAndWatchExtrinsic: (extrinsic, onStatus) => this.#watchExtrinsic(extrinsic, onStatus),
    };
  }

  get isOpen(): boolean {
    return this.#socket.readyState === WebSocket.OPEN;
  }

  request<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    return this.#send(method, params) as Promise<T>;
  }

  /** A raw subscription: `onNotification` gets each `params.result` of the stream. */
  subscribe<T = unknown>(
    method: string,
    params: unknown[],
    unsubscribeMethod: string,
    onNotification: (result: T) => void,
  ): Promise<Subscription> {
    let subscriptionId = "";
    const onSubscribed = (id: string) => {
      subscriptionId = id;
      this.#subscriptions.set(id, onNotification as (result: unknown) => void);
    };
    return this.#send(method, params, onSubscribed).then(() => ({
      id: subscriptionId,
      unsubscribe: async () => {
        if (!this.#subscriptions.delete(subscriptionId)) return false;
        return this.request<boolean>(unsubscribeMethod, [subscriptionId]);
      },
    }));
  }

  subscribeNewHeads(onHeader: (header: RpcHeader) => void): Promise<Subscription> {
    return this.subscribe("chain_subscribeNewHeads", [], "chain_unsubscribeNewHeads", onHeader);
  }

  subscribeFinalizedHeads(onHeader: (header: RpcHeader) => void): Promise<Subscription> {
    return this.subscribe(
      "chain_subscribeFinalizedHeads",
      [],
      "chain_unsubscribeFinalizedHeads",
      onHeader,
    );
  }

  /** Closes the connection; pending requests fail with RpcTransportError. */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.#socket.readyState !== WebSocket.CLOSED) this.#socket.close(1000);
    await this.#closed;
  }

  async #watchExtrinsic(
    extrinsic: Hex,
    onStatus: (status: RpcTransactionStatus) => void,
  ): Promise<Subscription> {
    let id = "";
    const subscription = await this.subscribe<RpcTransactionStatus>(
      "author_submitAndWatchExtrinsic",
      [extrinsic],
      "author_unwatchExtrinsic",
      (status) => {
        // The node ends the stream after a final status: forget it here too.
        if (isFinalTransactionStatus(status)) this.#subscriptions.delete(id);
        onStatus(status);
      },
    );
    id = subscription.id;
    return subscription;
  }

  #send(method: string, params: unknown[], onSubscribed?: (id: string) => void): Promise<unknown> {
    if (this.#socket.readyState !== WebSocket.OPEN) {
      return Promise.reject(new RpcTransportError(`${method}: connection is not open`));
    }
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new RpcTransportError(`${method} timed out after ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      this.#pending.set(id, { method, resolve, reject, timer, onSubscribed });
      this.#socket.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    });
  }

  #onMessage(data: unknown): void {
    let message: unknown;
    try {
      message = JSON.parse(typeof data === "string" ? data : String(data));
    } catch {
      return;
    }
    for (const item of Array.isArray(message) ? message : [message]) {
      this.#onItem(item as ResponseMessage);
    }
  }

  #onItem(message: ResponseMessage): void {
    if (typeof message.id === "number") {
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      this.#pending.delete(message.id);
      clearTimeout(pending.timer);
      if (message.error) {
        pending.reject(new RpcClientError(message.error));
        return;
      }
      if (pending.onSubscribed && typeof message.result === "string") {
        pending.onSubscribed(message.result);
      }
      pending.resolve(message.result);
      return;
    }
    const subscription = message.params?.subscription;
    if (typeof message.method === "string" && typeof subscription === "string") {
      this.#subscriptions.get(subscription)?.(message.params?.result);
    }
  }

  #failAll(reason: string): void {
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new RpcTransportError(`${pending.method}: ${reason}`));
    }
    this.#pending.clear();
    this.#subscriptions.clear();
  }
}

/** Requests over HTTP POST: for scripts and one-shot CLI calls; no subscriptions. */
export class HttpRpcClient implements LineageRpcApi {
  readonly system: SystemRpc;
  readonly chain: ChainRpc;
  readonly state: StateRpc;
  readonly author: AuthorRpc;
  readonly payment: PaymentRpc;
  readonly grandpa: GrandpaRpc;
  readonly params: ParamsRpc;
  readonly council: CouncilRpc;
  readonly registry: RegistryRpc;
  readonly attribution: AttributionRpc;
  readonly attestation: AttestationRpc;
  readonly emission: EmissionRpc;
  readonly rpc: RpcMethodsRpc;
  readonly #url: string;
  readonly #timeoutMs: number;
  #nextId = 1;

  /** `url` like http://127.0.0.1:9944 */
  constructor(url: string, options: Pick<RpcClientOptions, "timeoutMs"> = {}) {
    this.#url = url;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const api = bindRpcApi((method, params) => this.request(method, params));
    this.system = api.system;
    this.chain = api.chain;
    this.state = api.state;
    this.author = api.author;
    this.payment = api.payment;
    this.grandpa = api.grandpa;
    this.params = api.params;
    this.council = api.council;
    this.registry = api.registry;
    this.attribution = api.attribution;
    this.attestation = api.attestation;
    this.emission = api.emission;
    this.rpc = api.rpc;
  }

  async request<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const id = this.#nextId++;
    let response: Response;
    try {
      response = await fetch(this.#url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id, method, params }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (cause) {
      const reason =
        cause instanceof Error && cause.name === "TimeoutError" ? "timed out" : "failed";
      throw new RpcTransportError(`${method} ${reason}`, { cause });
    }
    const text = await response.text();
    if (!response.ok) {
      throw new RpcTransportError(`${method}: HTTP ${response.status} ${text}`.trim());
    }
    const message = JSON.parse(text) as ResponseMessage;
    if (message.error) throw new RpcClientError(message.error);
    return message.result as T;
  }
}
