// params_* and council_*: the runtime parameters with their bounds, the council's open proposals
// and its membership.
import type { MethodRegistry } from "../method-registry.ts";
import type { NodeApi } from "../node-api.ts";
import { blockHash, optional, params } from "./params.ts";

export function registerGovernanceMethods(registry: MethodRegistry, api: NodeApi): void {
  registry
    .method({
      name: "params_list",
      params: params([optional(blockHash)]),
      handler: ([at]) => api.params.list(at),
    })
    .method({
      name: "params_pending",
      params: params([optional(blockHash)]),
      handler: ([at]) => api.params.pending(at),
    })
    .method({
      name: "council_members",
      params: params([optional(blockHash)]),
      handler: ([at]) => api.params.councilMembers(at),
    });
}
