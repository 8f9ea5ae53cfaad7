// state_*: storage reads, key paging, read proofs, runtime version and metadata.
import * as v from "valibot";
import { RpcError } from "../jsonrpc.ts";
import type { MethodRegistry } from "../method-registry.ts";
import type { NodeApi } from "../node-api.ts";
import { blockHash, count, hexBytes, optional, params } from "./params.ts";

/** Substrate's STORAGE_KEYS_PAGED_MAX_COUNT. */
export const MAX_KEYS_PAGED = 1000;

export function registerStateMethods(registry: MethodRegistry, api: NodeApi): void {
  registry
    .method({
      name: "state_getStorage",
      aliases: ["state_getStorageAt"],
      params: params([hexBytes, optional(blockHash)]),
      handler: ([key, at]) => api.state.getStorage(key, at),
    })
    .method({
      name: "state_getKeysPaged",
      aliases: ["state_getKeysPagedAt"],
      params: params([optional(hexBytes), count, optional(hexBytes), optional(blockHash)]),
      handler: ([prefix, pageSize, startKey, at]) => {
        // Substrate answers an oversized page with state error 4002, not -32602.
        if (pageSize > MAX_KEYS_PAGED) {
          throw new RpcError(
            4002,
            `count exceeds maximum value. value: ${pageSize}, max: ${MAX_KEYS_PAGED}`,
          );
        }
        return api.state.getKeysPaged(prefix ?? "0x", pageSize, startKey, at);
      },
    })
    .method({
      name: "state_getReadProof",
      params: params([v.array(hexBytes, "expected a list of storage keys"), optional(blockHash)]),
      handler: ([keys, at]) => api.state.getReadProof(keys, at),
    })
    .method({
      name: "state_getRuntimeVersion",
      aliases: ["chain_getRuntimeVersion"],
      params: params([optional(blockHash)]),
      handler: ([at]) => api.state.getRuntimeVersion(at),
    })
    .method({
      name: "state_getMetadata",
      params: params([optional(blockHash)]),
      handler: ([at]) => api.state.getMetadata(at),
    });
}
