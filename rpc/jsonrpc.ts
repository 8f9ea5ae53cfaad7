// JSON-RPC 2.0 wire types, the standard error codes and the server-limit codes jsonrpsee (Substrate's
// RPC server) uses, so that clients written against a Substrate node see the same numbers here.

export type JsonRpcId = string | number | null;

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

export interface JsonRpcRequest {
  jsonrpc: "2.0";
  method: string;
  params?: unknown[] | Record<string, unknown>;
  /** Absent for a notification (no response is sent). */
  id?: JsonRpcId;
}

export type JsonRpcResponse =
  | { jsonrpc: "2.0"; result: unknown; id: JsonRpcId }
  | { jsonrpc: "2.0"; error: JsonRpcErrorObject; id: JsonRpcId };

export interface JsonRpcNotification {
  jsonrpc: "2.0";
  method: string;
  params: { subscription: string; result: unknown };
}

export const RpcErrorCode = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  // jsonrpsee server-limit codes.
  TOO_MANY_SUBSCRIPTIONS: -32006,
  OVERSIZED_REQUEST: -32007,
  OVERSIZED_RESPONSE: -32008,
  SERVER_IS_BUSY: -32009,
  TOO_BIG_BATCH_REQUEST: -32010,
} as const;

/** An error a handler throws (or the server raises) that goes on the wire as is. */
export class RpcError extends Error {
  readonly code: number;
  readonly data: unknown;
  constructor(code: number, message: string, data?: unknown) {
    super(message);
    this.name = "RpcError";
    this.code = code;
    this.data = data;
  }

  toJSON(): JsonRpcErrorObject {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }
}

export function parseError(): RpcError {
  return new RpcError(RpcErrorCode.PARSE_ERROR, "Parse error");
}

export function invalidRequest(detail?: string): RpcError {
  return new RpcError(RpcErrorCode.INVALID_REQUEST, "Invalid request", detail);
}

export function methodNotFound(): RpcError {
  return new RpcError(RpcErrorCode.METHOD_NOT_FOUND, "Method not found");
}

/** Substrate's message for a denied unsafe call; the code is -32601 as in jsonrpsee's policy. */
export function unsafeCallDenied(): RpcError {
  return new RpcError(RpcErrorCode.METHOD_NOT_FOUND, "RPC call is unsafe to be called externally");
}

export function invalidParams(detail: string): RpcError {
  return new RpcError(RpcErrorCode.INVALID_PARAMS, "Invalid params", detail);
}

export function internalError(detail?: string): RpcError {
  return new RpcError(RpcErrorCode.INTERNAL_ERROR, "Internal error", detail);
}

export function errorResponse(id: JsonRpcId, error: RpcError): JsonRpcResponse {
  return { jsonrpc: "2.0", error: error.toJSON(), id };
}

export function resultResponse(id: JsonRpcId, result: unknown): JsonRpcResponse {
  return { jsonrpc: "2.0", result, id };
}

export function isValidId(id: unknown): id is JsonRpcId {
  return (
    id === null ||
    typeof id === "string" ||
    (typeof id === "number" && Number.isFinite(id)) ||
    rawJson.isRawJSON(id)
  );
}

/** ES2025's JSON.rawJSON / isRawJSON (in V8 since Node 21), typed here until the lib has them. */
const rawJson = JSON as unknown as {
  rawJSON(text: string): object;
  isRawJSON(value: unknown): boolean;
};

/**
 * A JSON.parse reviver that keeps a request's numeric id exactly as the client wrote it when a
 * double would change it (a u64 above 2⁵³, `1e3`, `1.50`): the answer echoes the id's own text, as
 * the JSON-RPC spec asks ("the same value as the request").
 */
export function keepExactIds(
  this: Record<string, unknown>,
  key: string,
  value: unknown,
  context?: { source?: string },
): unknown {
  if (
    key === "id" &&
    typeof value === "number" &&
    "jsonrpc" in this &&
    context?.source !== undefined &&
    String(value) !== context.source
  )
    return rawJson.rawJSON(context.source);
  return value;
}
