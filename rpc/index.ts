// The RPC layer: a JSON-RPC 2.0 server (HTTP + WebSocket on one port) with Substrate's method names,
// shapes and error codes, bound to the node through `NodeApi`, and typed clients for it.

export {
  HttpRpcClient,
  RpcClient,
  RpcClientError,
  type RpcClientOptions,
  RpcTransportError,
  type Subscription,
  type WsAuthorRpc,
  type WsChainRpc,
} from "./client.ts";
export type {
  AuthorRpc,
  ChainRpc,
  LineageRpcApi,
  PaymentRpc,
  StateRpc,
  SystemRpc,
} from "./client-api.ts";
export { type CorsSetting, createOriginCheck } from "./cors.ts";
export { RpcDispatcher } from "./dispatcher.ts";
export { LINEAGE_ERROR_TABLE, toRpcError } from "./errors.ts";
export { type JsonRpcErrorObject, RpcError, RpcErrorCode } from "./jsonrpc.ts";
export {
  type CallContext,
  type Emit,
  type MethodDefinition,
  MethodRegistry,
  type SubscriptionDefinition,
} from "./method-registry.ts";
export * as rpcParams from "./methods/params.ts";
export { createRpcMetrics, type RpcMetrics } from "./metrics.ts";
export type * from "./node-api.ts";
export { createRpcServer, type NodeRpcOptions } from "./node-rpc.ts";
export { allowsUnsafeMethods, isLoopbackHost, type RpcMethodsMode } from "./policy.ts";
export { RpcServer } from "./server.ts";
export { DEFAULT_CORS, type RpcLogger, type RpcServerOptions } from "./server-options.ts";
export { isFinalTransactionStatus } from "./transaction-status.ts";
