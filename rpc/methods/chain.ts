// chain_*: headers, blocks, canonical hashes and the head subscriptions.
import * as v from "valibot";
import type { MethodRegistry } from "../method-registry.ts";
import type { NodeApi } from "../node-api.ts";
import { blockHash, blockNumber, optional, params } from "./params.ts";

export function registerChainMethods(registry: MethodRegistry, api: NodeApi): void {
  registry
    .method({
      name: "chain_getHeader",
      params: params([optional(blockHash)]),
      handler: ([at]) => api.chain.getHeader(at),
    })
    .method({
      name: "chain_getBlock",
      params: params([optional(blockHash)]),
      handler: ([at]) => api.chain.getBlock(at),
    })
    .method({
      name: "chain_getBlockHash",
      aliases: ["chain_getHead"],
      // Substrate's ListOrValue<NumberOrHex>: one height or a list, answered in kind.
      params: params([optional(v.union([blockNumber, v.array(blockNumber)]))]),
      handler: ([height]) =>
        Array.isArray(height)
          ? height.map((h) => api.chain.getBlockHash(h))
          : api.chain.getBlockHash(height),
    })
    .method({
      name: "chain_getFinalizedHead",
      aliases: ["chain_getFinalisedHead"],
      params: params([]),
      handler: () => api.chain.getFinalizedHead(),
    })
    // Like Substrate, both head streams start with the current head, then follow.
    .subscription({
      subscribe: "chain_subscribeNewHeads",
      aliases: ["chain_subscribeNewHead", "subscribe_newHead"],
      unsubscribe: "chain_unsubscribeNewHeads",
      unsubscribeAliases: ["chain_unsubscribeNewHead", "unsubscribe_newHead"],
      notification: "chain_newHead",
      params: params([]),
      start: (_params, emit) => {
        const best = api.chain.getHeader();
        if (best) emit(best);
        return api.chain.subscribeNewHeads(emit);
      },
    })
    .subscription({
      subscribe: "chain_subscribeFinalizedHeads",
      aliases: ["chain_subscribeFinalisedHeads"],
      unsubscribe: "chain_unsubscribeFinalizedHeads",
      unsubscribeAliases: ["chain_unsubscribeFinalisedHeads"],
      notification: "chain_finalizedHead",
      params: params([]),
      start: (_params, emit) => {
        const finalized = api.chain.getHeader(api.chain.getFinalizedHead());
        if (finalized) emit(finalized);
        return api.chain.subscribeFinalizedHeads(emit);
      },
    });
}
