// The node's RPC server: the Substrate-compatible namespaces over a NodeApi, ready to start.
import { MethodRegistry } from "./method-registry.ts";
import { registerNodeMethods } from "./methods/index.ts";
import type { NodeApi } from "./node-api.ts";
import { RpcServer } from "./server.ts";
import type { RpcServerOptions } from "./server-options.ts";

export interface NodeRpcOptions extends RpcServerOptions {
  /** Registers further namespaces (registry_*, attribution_*, ...) before the server is built. */
  extend?: (registry: MethodRegistry) => void;
}

export function createRpcServer(api: NodeApi, options: NodeRpcOptions = {}): RpcServer {
  const registry = new MethodRegistry();
  options.extend?.(registry);
  registerNodeMethods(registry, api);
  return new RpcServer(registry, options);
}
