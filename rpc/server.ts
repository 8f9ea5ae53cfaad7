// The node's RPC endpoint: one HTTP server answering JSON-RPC over POST and upgrading to WebSocket
// on the same port, as Substrate has done since the 9933/9944 split was removed. Limits follow
// Substrate's flags: request and response size, connections, batch length, subscriptions and the
// per-connection notification buffer.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import { createOriginCheck, type OriginCheck } from "./cors.ts";
import { RpcDispatcher } from "./dispatcher.ts";
import type { CallContext, MethodRegistry } from "./method-registry.ts";
import { allowsUnsafeMethods, isLoopbackHost } from "./policy.ts";
import {
  type ResolvedServerOptions,
  type RpcServerOptions,
  resolveServerOptions,
} from "./server-options.ts";
import { SubscriptionHost } from "./subscriptions.ts";

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" } as const;
const TOO_MANY_CONNECTIONS = "Too many connections. Please try again later.";

export class RpcServer {
  readonly registry: MethodRegistry;
  readonly #options: ResolvedServerOptions;
  readonly #originAllowed: OriginCheck;
  readonly #http: Server;
  readonly #wss: WebSocketServer;
  readonly #sockets = new Set<WebSocket>();
  #dispatcher: RpcDispatcher | null = null;
  /** Open WebSocket connections plus HTTP requests in flight, against `maxConnections`. */
  #sessions = 0;
  #listening = false;

  constructor(registry: MethodRegistry, options: RpcServerOptions = {}) {
    this.registry = registry;
    this.#options = resolveServerOptions(options);
    this.#originAllowed = createOriginCheck(this.#options.cors);
    this.#http = createServer((req, res) => this.#onHttpRequest(req, res));
    this.#http.on("upgrade", (req, socket, head) => this.#onUpgrade(req, socket, head));
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.#options.maxRequestBytes,
      perMessageDeflate: false,
    });
  }

  /** Whether unsafe methods are served, decided from `methods` and the listen address. */
  get allowsUnsafe(): boolean {
    return allowsUnsafeMethods(this.#options.methods, isLoopbackHost(this.#options.host));
  }

  async start(): Promise<void> {
    if (this.#listening) return;
    this.#dispatcher = new RpcDispatcher(this.registry, {
      allowUnsafe: this.allowsUnsafe,
      maxBatchLength: this.#options.maxBatchLength,
      maxResponseBytes: this.#options.maxResponseBytes,
      logger: this.#options.logger,
      metrics: this.#options.metrics,
    });
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.#http.once("error", onError);
      this.#http.listen(this.#options.port, this.#options.host, () => {
        this.#http.off("error", onError);
        resolve();
      });
    });
    this.#listening = true;
    const { host, port } = this.address();
    this.#options.logger?.info(`Running JSON-RPC server: addr=${host}:${port}`);
  }

  /** Closes every connection (ending their subscriptions) and the listener. */
  async stop(): Promise<void> {
    if (!this.#listening) return;
    this.#listening = false;
    for (const socket of this.#sockets) socket.terminate();
    await new Promise<void>((resolve) => {
      this.#http.close(() => resolve());
      this.#http.closeAllConnections();
    });
  }

  address(): { host: string; port: number } {
    const address = this.#http.address() as AddressInfo | null;
    if (!address) throw new Error("RPC server is not listening");
    return { host: address.address, port: address.port };
  }

  #onHttpRequest(req: IncomingMessage, res: ServerResponse): void {
    const origin = req.headers.origin;
    if (!this.#originAllowed(origin)) {
      res
        .writeHead(403, { "content-type": "text/plain" })
        .end("Origin of the request is not allowed");
      return;
    }
    if (origin !== undefined) {
      res.setHeader("access-control-allow-origin", origin);
      res.setHeader("vary", "origin");
    }
    if (req.method === "OPTIONS") {
      res.writeHead(204, {
        "access-control-allow-methods": "POST, GET, OPTIONS",
        "access-control-allow-headers": "content-type",
        "access-control-max-age": "86400",
      });
      res.end();
      return;
    }
    if (req.method === "GET" || req.method === "HEAD") {
      this.#onGet(req, res);
      return;
    }
    if (req.method !== "POST") {
      res.writeHead(405, { allow: "POST, GET, OPTIONS" }).end();
      return;
    }
    const contentType = req.headers["content-type"];
    if (contentType !== undefined && !/^application\/json\b/i.test(contentType)) {
      res
        .writeHead(415, { "content-type": "text/plain" })
        .end("Supplied content type is not allowed");
      return;
    }
    if (this.#sessions >= this.#options.maxConnections) {
      res.writeHead(429, { "content-type": "text/plain" }).end(TOO_MANY_CONNECTIONS);
      return;
    }
    this.#sessions++;
    this.#options.metrics?.sessionOpened("http");
    res.once("close", () => {
      this.#sessions--;
      this.#options.metrics?.sessionClosed("http");
    });
    void this.#answerPost(req, res);
  }

  async #answerPost(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req, this.#options.maxRequestBytes);
    if (body === "too-large") {
      res.writeHead(413, { "content-type": "text/plain", connection: "close" });
      res.end("Request body too large");
      return;
    }
    if (body === "aborted") return;
    const context: CallContext = { transport: "http", subscriptions: null };
    const outcome = await this.#dispatch(body.toString("utf8"), context);
    if (outcome.body === undefined) {
      res.writeHead(200, JSON_HEADERS).end();
    } else {
      res.writeHead(200, JSON_HEADERS).end(outcome.body);
    }
  }

  /** Substrate answers GET /health with `system_health`; other pages belong to the explorer. */
  #onGet(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/health" && this.registry.get("system_health")) {
      const context: CallContext = { transport: "http", subscriptions: null };
      const request = JSON.stringify({ jsonrpc: "2.0", id: 0, method: "system_health" });
      void this.#dispatch(request, context).then((outcome) => {
        const reply = JSON.parse(outcome.body ?? "{}") as { result?: unknown; error?: unknown };
        res.writeHead("result" in reply ? 200 : 500, JSON_HEADERS);
        res.end(JSON.stringify(reply.result ?? reply.error));
      });
      return;
    }
    if (this.#options.staticHandler?.(req, res)) return;
    res.writeHead(404, { "content-type": "text/plain" }).end("Not found");
  }

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (!this.#originAllowed(req.headers.origin)) {
      rejectUpgrade(socket, 403, "Forbidden");
      return;
    }
    if (this.#sessions >= this.#options.maxConnections) {
      rejectUpgrade(socket, 429, "Too Many Requests");
      return;
    }
    // Counted once the handshake succeeds: a failed handshake never calls back.
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      this.#sessions++;
      this.#onWebSocket(ws);
    });
  }

  #onWebSocket(ws: WebSocket): void {
    this.#sockets.add(ws);
    this.#options.metrics?.sessionOpened("ws");
    const subscriptions = new SubscriptionHost({
      send: (text, onWritten) => {
        if (ws.readyState !== ws.OPEN) return onWritten();
        ws.send(text, () => onWritten());
      },
      maxSubscriptions: this.#options.maxSubscriptionsPerConnection,
      messageBuffer: this.#options.messageBufferPerConnection,
      logger: this.#options.logger,
    });
    const context: CallContext = { transport: "ws", subscriptions };
    ws.on("message", (data) => {
      void this.#dispatch(rawDataToText(data), context).then((outcome) => {
        if (outcome.body !== undefined && ws.readyState === ws.OPEN) ws.send(outcome.body);
        for (const release of outcome.afterSend) release();
      });
    });
    // An oversized frame makes `ws` close the socket with 1009; the close handler cleans up.
    ws.on("error", (error) => this.#options.logger?.debug(`RPC WebSocket error: ${error.message}`));
    ws.once("close", () => {
      this.#sockets.delete(ws);
      this.#sessions--;
      subscriptions.closeAll();
      this.#options.metrics?.sessionClosed("ws");
    });
  }

  #dispatch(text: string, context: CallContext) {
    if (!this.#dispatcher) throw new Error("RPC server not started");
    return this.#dispatcher.handleText(text, context);
  }
}

function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

function rawDataToText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString("utf8");
  return data.toString("utf8");
}

/** Reads a request body up to `limit` bytes; larger bodies are refused before being buffered. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | "too-large" | "aborted"> {
  const declared = Number(req.headers["content-length"] ?? Number.NaN);
  if (declared > limit) {
    req.resume();
    return Promise.resolve("too-large");
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on("data", (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        req.resume();
        resolve("too-large");
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (!done) {
        done = true;
        resolve(Buffer.concat(chunks));
      }
    });
    req.on("error", () => {
      if (!done) {
        done = true;
        resolve("aborted");
      }
    });
    req.on("aborted", () => {
      if (!done) {
        done = true;
        resolve("aborted");
      }
    });
  });
}
