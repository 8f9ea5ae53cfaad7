// system_* and rpc_methods: node identity, health and the account nonce.
import type { MethodRegistry } from "../method-registry.ts";
import type { NodeApi } from "../node-api.ts";
import { accountId, params } from "./params.ts";

const none = params([]);

export function registerSystemMethods(registry: MethodRegistry, api: NodeApi): void {
  registry
    .method({ name: "system_name", params: none, handler: () => api.system.name() })
    .method({ name: "system_version", params: none, handler: () => api.system.version() })
    .method({ name: "system_chain", params: none, handler: () => api.system.chain() })
    .method({ name: "system_chainType", params: none, handler: () => api.system.chainType() })
    .method({ name: "system_properties", params: none, handler: () => api.system.properties() })
    .method({ name: "system_health", params: none, handler: () => api.system.health() })
    .method({ name: "system_nodeRoles", params: none, handler: () => api.system.nodeRoles() })
    .method({
      name: "system_accountNextIndex",
      aliases: ["account_nextIndex"],
      params: params([accountId]),
      handler: ([account]) => api.system.accountNextIndex(account),
    });
}

/** Registered last so that it can list everything, itself included. */
export function registerRpcMethods(registry: MethodRegistry): void {
  registry.method({
    name: "rpc_methods",
    params: none,
    handler: () => ({ methods: registry.names() }),
  });
}
