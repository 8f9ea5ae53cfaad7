// system_*, grandpa_* and rpc_methods: node identity, health, peers, sync, finality rounds.

import * as v from "valibot";
import type { MethodRegistry } from "../method-registry.ts";
import type { NodeApi } from "../node-api.ts";
import { accountId, blockNumber, params } from "./params.ts";

const multiaddr = v.pipe(
  v.string("expected a multiaddr such as /ip4/127.0.0.1/tcp/30333/p2p/12D3Koo…"),
  v.regex(/^\/\S+\/p2p\/\w+$/, "expected a multiaddr ending in /p2p/<peer id>"),
  v.maxLength(512),
);
const peerId = v.pipe(
  v.string("expected a peer id"),
  v.regex(/^[1-9A-HJ-NP-Za-km-z]{40,60}$/, "expected a base58 peer id such as 12D3Koo…"),
);

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
    })
    .method({ name: "system_peers", params: none, unsafe: true, handler: () => api.system.peers() })
    .method({ name: "system_syncState", params: none, handler: () => api.system.syncState() })
    .method({ name: "system_localPeerId", params: none, handler: () => api.system.localPeerId() })
    .method({
      name: "system_localListenAddresses",
      params: none,
      handler: () => api.system.localListenAddresses(),
    })
    .method({
      name: "system_reservedPeers",
      params: none,
      handler: () => api.system.reservedPeers(),
    })
    .method({
      name: "system_addReservedPeer",
      params: params([multiaddr]),
      unsafe: true,
      handler: async ([address]) => {
        await api.system.addReservedPeer(address);
        return null;
      },
    })
    .method({
      name: "system_removeReservedPeer",
      params: params([peerId]),
      unsafe: true,
      handler: async ([id]) => {
        await api.system.removeReservedPeer(id);
        return null;
      },
    });
}

export function registerGrandpaMethods(registry: MethodRegistry, api: NodeApi): void {
  registry
    .method({ name: "grandpa_roundState", params: none, handler: () => api.grandpa.roundState() })
    .method({
      name: "grandpa_proveFinality",
      params: params([blockNumber]),
      handler: ([number]) => api.grandpa.proveFinality(number),
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
