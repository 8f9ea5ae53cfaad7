// Options of the RPC server with Substrate's defaults (sc-cli `--rpc-*` flags).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { CorsSetting } from "./cors.ts";
import type { RpcMetrics } from "./metrics.ts";
import type { RpcMethodsMode } from "./policy.ts";

/** The slice of a pino logger the RPC layer uses. */
export interface RpcLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

export interface RpcServerOptions {
  host?: string;
  /** 0 picks a free port (tests); read it back with `address()`. */
  port?: number;
  methods?: RpcMethodsMode;
  cors?: CorsSetting;
  maxRequestBytes?: number;
  maxResponseBytes?: number;
  /** Open WebSocket connections plus HTTP requests in flight. */
  maxConnections?: number;
  maxSubscriptionsPerConnection?: number;
  maxBatchLength?: number;
  /** Unflushed notifications per connection before a subscription of that reader is dropped. */
  messageBufferPerConnection?: number;
  /** Serves non-RPC GET requests (the explorer page); returns true when it answered. */
  staticHandler?: (req: IncomingMessage, res: ServerResponse) => boolean;
  logger?: RpcLogger | null;
  metrics?: RpcMetrics | null;
}

export type ResolvedServerOptions = Required<Omit<RpcServerOptions, "staticHandler">> &
  Pick<RpcServerOptions, "staticHandler">;

const MIB = 1024 * 1024;

/** Substrate's `--rpc-cors` default: local pages and polkadot.js.org. */
export const DEFAULT_CORS: readonly string[] = [
  "http://localhost:*",
  "http://127.0.0.1:*",
  "https://localhost:*",
  "https://127.0.0.1:*",
  "https://polkadot.js.org",
];

export function resolveServerOptions(options: RpcServerOptions): ResolvedServerOptions {
  return {
    host: options.host ?? "127.0.0.1",
    port: options.port ?? 9944,
    methods: options.methods ?? "auto",
    cors: options.cors ?? DEFAULT_CORS,
    maxRequestBytes: options.maxRequestBytes ?? 15 * MIB,
    maxResponseBytes: options.maxResponseBytes ?? 15 * MIB,
    maxConnections: options.maxConnections ?? 100,
    maxSubscriptionsPerConnection: options.maxSubscriptionsPerConnection ?? 1024,
    maxBatchLength: options.maxBatchLength ?? 1000,
    messageBufferPerConnection: options.messageBufferPerConnection ?? 64,
    staticHandler: options.staticHandler,
    logger: options.logger ?? null,
    metrics: options.metrics ?? null,
  };
}
