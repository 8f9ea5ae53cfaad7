// Starting a real server on 127.0.0.1:0 and talking to it with raw HTTP and WebSocket frames.
import WebSocket from "ws";
import { createRpcServer, type NodeRpcOptions } from "../../../rpc/node-rpc.ts";
import type { RpcServer } from "../../../rpc/server.ts";
import { createFakeNode, type FakeNode } from "./fake-node-api.ts";

export interface Running {
  server: RpcServer;
  node: FakeNode;
  http: string;
  ws: string;
}

export async function startServer(options: NodeRpcOptions = {}): Promise<Running> {
  const node = createFakeNode();
  const server = createRpcServer(node.api, { host: "127.0.0.1", port: 0, ...options });
  await server.start();
  const { port } = server.address();
  return { server, node, http: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}` };
}

export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string; json: unknown; headers: Headers }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json, headers: response.headers };
}

export function call(method: string, params: unknown[] = [], id: number | string = 1) {
  return { jsonrpc: "2.0", id, method, params };
}

/** One JSON-RPC call to the server over HTTP; its answer's body. */
export async function send(
  rpc: Running,
  method: string,
  params: unknown[],
): Promise<{ result?: unknown; error?: { code: number; message?: string; data?: unknown } }> {
  return (await post(rpc.http, call(method, params))).json as {
    result?: unknown;
    error?: { code: number; message?: string; data?: unknown };
  };
}

/** A raw WebSocket that queues every frame it receives, for exact-shape assertions. */
export class RawSocket {
  readonly socket: WebSocket;
  readonly #queue: unknown[] = [];
  readonly #waiters: ((message: unknown) => void)[] = [];

  static open(url: string, options?: WebSocket.ClientOptions): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, options);
      socket.once("open", () => resolve(new RawSocket(socket)));
      socket.once("error", reject);
      socket.once("unexpected-response", (_req, res) =>
        reject(new Error(`unexpected response ${res.statusCode}`)),
      );
    });
  }

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on("message", (data) => {
      const message = JSON.parse(String(data));
      const waiter = this.#waiters.shift();
      if (waiter) waiter(message);
      else this.#queue.push(message);
    });
  }

  send(message: unknown): void {
    this.socket.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  next(timeoutMs = 2000): Promise<unknown> {
    const queued = this.#queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no message in time")), timeoutMs);
      this.#waiters.push((message) => {
        clearTimeout(timer);
        resolve(message);
      });
    });
  }

  async request(message: unknown): Promise<unknown> {
    this.send(message);
    return this.next();
  }

  /** True when nothing arrives within `ms`. */
  async quiet(ms = 100): Promise<boolean> {
    if (this.#queue.length > 0) return false;
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.#queue.length === 0;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.readyState === WebSocket.CLOSED) return resolve();
      this.socket.once("close", () => resolve());
      this.socket.close();
    });
  }
}

export function waitFor(check: () => boolean, timeoutMs = 2000): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      if (check()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error("condition not met in time"));
      setTimeout(tick, 10);
    };
    tick();
  });
}
