// Where RPC methods and subscriptions are declared. A declaration carries its parameter schema
// (a valibot tuple), so every call is validated before a handler sees it and bad input is answered
// with -32602 and the schema's message. Subscriptions register three names (subscribe, unsubscribe,
// notification) as Substrate's `#[subscription]` macro does.
import * as v from "valibot";
import { invalidParams } from "./jsonrpc.ts";
import type { Unsubscribe } from "./node-api.ts";
import type { SubscriptionHost } from "./subscriptions.ts";

export interface CallContext {
  transport: "http" | "ws";
  /** The connection's subscriptions; null over HTTP, which cannot carry notifications. */
  subscriptions: SubscriptionHost | null;
}

/** A tuple schema whose output is the handler's parameter list. */
export type ParamsSchema<P extends readonly unknown[]> = v.GenericSchema<unknown, P>;

export interface MethodDefinition<P extends readonly unknown[]> {
  name: string;
  aliases?: readonly string[];
  params: ParamsSchema<P>;
  /** Unsafe methods are refused on an external interface unless the operator allows them. */
  unsafe?: boolean;
  handler: (params: P, context: CallContext) => unknown;
}

/** Pushes one notification; `end` closes the subscription from the server side. */
export type Emit = (result: unknown) => void;

export interface SubscriptionDefinition<P extends readonly unknown[]> {
  subscribe: string;
  aliases?: readonly string[];
  unsubscribe: string;
  unsubscribeAliases?: readonly string[];
  notification: string;
  params: ParamsSchema<P>;
  unsafe?: boolean;
  start: (params: P, emit: Emit, end: () => void) => Unsubscribe | Promise<Unsubscribe>;
}

/** A subscription with its parameter type erased, as the server runs it. */
export interface RegisteredSubscription {
  subscribe: string;
  notification: string;
  start(rawParams: unknown[], emit: Emit, end: () => void): Promise<Unsubscribe>;
}

export type RegisteredEntry =
  | {
      kind: "method";
      name: string;
      unsafe: boolean;
      call(rawParams: unknown[], context: CallContext): Promise<unknown>;
    }
  | { kind: "subscribe"; name: string; unsafe: boolean; subscription: RegisteredSubscription }
  | { kind: "unsubscribe"; name: string; unsafe: boolean; subscription: RegisteredSubscription };

export class MethodRegistry {
  readonly #entries = new Map<string, RegisteredEntry>();

  method<P extends readonly unknown[]>(definition: MethodDefinition<P>): this {
    const unsafe = definition.unsafe ?? false;
    const call = async (rawParams: unknown[], context: CallContext) =>
      definition.handler(parseParams(definition.params, rawParams), context);
    for (const name of [definition.name, ...(definition.aliases ?? [])]) {
      this.#add({ kind: "method", name, unsafe, call });
    }
    return this;
  }

  subscription<P extends readonly unknown[]>(definition: SubscriptionDefinition<P>): this {
    const unsafe = definition.unsafe ?? false;
    const subscription: RegisteredSubscription = {
      subscribe: definition.subscribe,
      notification: definition.notification,
      start: async (rawParams, emit, end) =>
        definition.start(parseParams(definition.params, rawParams), emit, end),
    };
    for (const name of [definition.subscribe, ...(definition.aliases ?? [])]) {
      this.#add({ kind: "subscribe", name, unsafe, subscription });
    }
    for (const name of [definition.unsubscribe, ...(definition.unsubscribeAliases ?? [])]) {
      this.#add({ kind: "unsubscribe", name, unsafe, subscription });
    }
    return this;
  }

  get(name: string): RegisteredEntry | undefined {
    return this.#entries.get(name);
  }

  /** Every callable name, aliases included, sorted as `rpc_methods` reports them. */
  names(): string[] {
    return [...this.#entries.keys()].sort();
  }

  #add(entry: RegisteredEntry): void {
    if (this.#entries.has(entry.name)) throw new Error(`RPC method ${entry.name} registered twice`);
    this.#entries.set(entry.name, entry);
  }
}

/** Validates positional params; the first few schema issues become the -32602 message. */
export function parseParams<P extends readonly unknown[]>(
  schema: ParamsSchema<P>,
  raw: unknown[],
): P {
  const result = v.safeParse(schema, raw);
  if (result.success) return result.output;
  throw invalidParams(describeIssues(result.issues));
}

function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .slice(0, 3)
    .map((issue) => {
      const path = issue.path ?? [];
      const first = path[0];
      if (first === undefined) return issue.message;
      const rest = path
        .slice(1)
        .map((item) => `[${String(item.key)}]`)
        .join("");
      return `param ${String(first.key)}${rest}: ${issue.message}`;
    })
    .join("; ");
}
