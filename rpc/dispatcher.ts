// JSON-RPC 2.0 framing, independent of the transport: parses a message, checks envelopes, applies
// the unsafe-method policy and batch limit, runs handlers and serializes the answer. HTTP and
// WebSocket both feed text in here and write back whatever comes out.
import { toRpcError } from "./errors.ts";
import {
  errorResponse,
  internalError,
  invalidParams,
  invalidRequest,
  isValidId,
  type JsonRpcId,
  type JsonRpcResponse,
  keepExactIds,
  methodNotFound,
  parseError,
  RpcError,
  RpcErrorCode,
  resultResponse,
  unsafeCallDenied,
} from "./jsonrpc.ts";
import type { CallContext, MethodRegistry, RegisteredEntry } from "./method-registry.ts";
import type { RpcMetrics } from "./metrics.ts";
import type { RpcLogger } from "./server-options.ts";

export interface DispatcherOptions {
  /** Derived from `--rpc-methods` and the listen address; see policy.ts. */
  allowUnsafe: boolean;
  maxBatchLength: number;
  maxResponseBytes: number;
  logger?: RpcLogger | null;
  metrics?: RpcMetrics | null;
}

export interface DispatchOutcome {
  /** Serialized response, or undefined when only notifications were received. */
  body: string | undefined;
  /** Runs once the body has been handed to the transport (releases held subscription messages). */
  afterSend: (() => void)[];
}

interface CallScope {
  context: CallContext;
  afterSend: (() => void)[];
}

export class RpcDispatcher {
  readonly #registry: MethodRegistry;
  readonly #options: DispatcherOptions;

  constructor(registry: MethodRegistry, options: DispatcherOptions) {
    this.#registry = registry;
    this.#options = options;
  }

  get registry(): MethodRegistry {
    return this.#registry;
  }

  async handleText(text: string, context: CallContext): Promise<DispatchOutcome> {
    const afterSend: (() => void)[] = [];
    let message: unknown;
    try {
      message = JSON.parse(text, keepExactIds);
    } catch {
      return { body: this.#serialize(errorResponse(null, parseError())), afterSend };
    }
    const scope: CallScope = { context, afterSend };
    if (!Array.isArray(message)) {
      const response = await this.#handleOne(message, scope);
      return { body: response === undefined ? undefined : this.#serialize(response), afterSend };
    }
    if (message.length === 0) {
      return { body: this.#serialize(errorResponse(null, invalidRequest())), afterSend };
    }
    if (message.length > this.#options.maxBatchLength) {
      const tooBig = new RpcError(
        RpcErrorCode.TOO_BIG_BATCH_REQUEST,
        "The batch request was too large",
        `Exceeded max limit of ${this.#options.maxBatchLength}`,
      );
      return { body: this.#serialize(errorResponse(null, tooBig)), afterSend };
    }
    const responses = (
      await Promise.all(message.map((item) => this.#handleOne(item, scope)))
    ).filter((response): response is JsonRpcResponse => response !== undefined);
    if (responses.length === 0) return { body: undefined, afterSend };
    const parts = responses.map((response) => this.#serialize(response));
    return { body: this.#limitSize(`[${parts.join(",")}]`, null), afterSend };
  }

  async #handleOne(message: unknown, scope: CallScope): Promise<JsonRpcResponse | undefined> {
    if (typeof message !== "object" || message === null || Array.isArray(message)) {
      return errorResponse(null, invalidRequest("a request must be a JSON object"));
    }
    const request = message as Record<string, unknown>;
    const hasId = "id" in request && request.id !== undefined;
    const id: JsonRpcId = hasId && isValidId(request.id) ? request.id : null;
    const envelopeProblem = checkEnvelope(request);
    if (envelopeProblem) return errorResponse(id, invalidRequest(envelopeProblem));
    const method = request.method as string;
    const entry = this.#registry.get(method);
    if (!entry) return hasId ? errorResponse(id, methodNotFound()) : undefined;
    if (entry.unsafe && !this.#options.allowUnsafe) {
      return hasId ? errorResponse(id, unsafeCallDenied()) : undefined;
    }
    const protocol = scope.context.transport;
    const metrics = this.#options.metrics;
    metrics?.callStarted(protocol, method);
    const startedAt = process.hrtime.bigint();
    let response: JsonRpcResponse;
    try {
      const params = positionalParams(request.params);
      // A notification cannot receive a subscription id, so it opens nothing.
      if (!hasId && entry.kind === "subscribe") return undefined;
      response = resultResponse(id, await this.#run(entry, params, scope));
    } catch (thrown) {
      const { error, unexpected } = toRpcError(thrown);
      if (unexpected) this.#options.logger?.warn(`RPC ${method} failed: ${describe(thrown)}`);
      response = errorResponse(id, error);
    }
    const micros = Number((process.hrtime.bigint() - startedAt) / 1000n);
    metrics?.callFinished(protocol, method, "error" in response, micros);
    return hasId ? response : undefined;
  }

  async #run(entry: RegisteredEntry, params: unknown[], scope: CallScope): Promise<unknown> {
    if (entry.kind === "method") return entry.call(params, scope.context);
    const subscriptions = scope.context.subscriptions;
    if (!subscriptions) {
      throw new RpcError(
        RpcErrorCode.METHOD_NOT_FOUND,
        "Subscriptions are not supported over HTTP; use a WebSocket connection",
      );
    }
    if (entry.kind === "subscribe") {
      const opened = await subscriptions.open(entry.subscription, params);
      scope.afterSend.push(opened.activate);
      return opened.id;
    }
    const subscriptionId = params[0];
    if (typeof subscriptionId !== "string" || params.length !== 1) {
      throw invalidParams("param 0: expected the subscription id (a string)");
    }
    return subscriptions.close(subscriptionId, entry.subscription);
  }

  #serialize(response: JsonRpcResponse): string {
    let text: string;
    try {
      text = JSON.stringify(response);
    } catch (error) {
      this.#options.logger?.warn(`Cannot serialize an RPC response: ${describe(error)}`);
      text = JSON.stringify(errorResponse(response.id, internalError()));
    }
    return this.#limitSize(text, response.id);
  }

  #limitSize(text: string, id: JsonRpcId): string {
    const max = this.#options.maxResponseBytes;
    if (Buffer.byteLength(text) <= max) return text;
    const tooBig = new RpcError(
      RpcErrorCode.OVERSIZED_RESPONSE,
      "Response is too big",
      `Exceeded max limit of ${max}`,
    );
    return JSON.stringify(errorResponse(id, tooBig));
  }
}

/** What is wrong with a request object, or undefined when it is a valid JSON-RPC 2.0 request. */
function checkEnvelope(request: Record<string, unknown>): string | undefined {
  if (request.jsonrpc !== "2.0") return 'the "jsonrpc" member must be exactly "2.0"';
  if (typeof request.method !== "string") return 'the "method" member must be a string';
  if ("id" in request && request.id !== undefined && !isValidId(request.id)) {
    return 'the "id" member must be a string, a number or null';
  }
  const params = request.params;
  if (params !== undefined && params !== null && typeof params !== "object") {
    return 'the "params" member must be an array or an object';
  }
  return undefined;
}

function positionalParams(params: unknown): unknown[] {
  if (params === undefined || params === null) return [];
  if (Array.isArray(params)) return params;
  throw invalidParams("named params are not supported: pass params as an array");
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
