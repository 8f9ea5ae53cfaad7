// registry_*: datanets, contributions, versions with inclusion proofs, reputation and curators.
import * as v from "valibot";
import type { MethodRegistry } from "../method-registry.ts";
import type { NodeApi } from "../node-api.ts";
import { accountId, blockHash, optional, params } from "./params.ts";

/** The most records one page returns. */
export const MAX_REGISTRY_PAGE = 100;

const id = v.pipe(
  v.number("expected a non-negative integer id"),
  v.safeInteger("expected a non-negative integer id"),
  v.minValue(0, "expected a non-negative integer id"),
);
const pageSize = v.pipe(
  v.number("expected a page size"),
  v.safeInteger("expected a page size"),
  v.minValue(1, "a page holds at least one record"),
  v.maxValue(MAX_REGISTRY_PAGE, `a page holds at most ${MAX_REGISTRY_PAGE} records`),
);
const filter = v.strictObject(
  {
    datanet: v.optional(id),
    contributor: v.optional(accountId),
    status: v.optional(
      v.picklist(
        ["pending", "accepted", "rejected", "slashed", "withdrawn"],
        "status is one of pending, accepted, rejected, slashed, withdrawn",
      ),
    ),
  },
  "the filter takes datanet, contributor and status",
);

export function registerRegistryMethods(registry: MethodRegistry, api: NodeApi): void {
  registry
    .method({
      name: "registry_datanet",
      params: params([id, optional(blockHash)]),
      handler: ([datanet, at]) => api.registry.datanet(datanet, at),
    })
    .method({
      name: "registry_datanets",
      params: params([optional(id), optional(pageSize), optional(blockHash)]),
      handler: ([start, count, at]) =>
        api.registry.datanets(start ?? 0, count ?? MAX_REGISTRY_PAGE, at),
    })
    .method({
      name: "registry_contribution",
      params: params([id, optional(blockHash)]),
      handler: ([contribution, at]) => api.registry.contribution(contribution, at),
    })
    .method({
      name: "registry_contributions",
      params: params([filter, optional(id), optional(pageSize), optional(blockHash)]),
      handler: ([f, start, count, at]) =>
        api.registry.contributions(f, start ?? 0, count ?? MAX_REGISTRY_PAGE, at),
    })
    .method({
      name: "registry_version",
      params: params([id, id, optional(blockHash)]),
      handler: ([datanet, version, at]) => api.registry.version(datanet, version, at),
    })
    .method({
      name: "registry_proof",
      params: params([id, id, id, optional(blockHash)]),
      handler: ([datanet, version, contribution, at]) =>
        api.registry.proof(datanet, version, contribution, at),
    })
    .method({
      name: "registry_reputation",
      params: params([accountId, optional(blockHash)]),
      handler: ([account, at]) => api.registry.reputation(account, at),
    })
    .method({
      name: "registry_curator",
      params: params([id, accountId, optional(blockHash)]),
      handler: ([datanet, account, at]) => api.registry.curator(datanet, account, at),
    });
}
