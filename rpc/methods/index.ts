// Every RPC namespace the node serves, bound to its NodeApi.
import type { MethodRegistry } from "../method-registry.ts";
import type { NodeApi } from "../node-api.ts";
import { registerAttestationMethods } from "./attestation.ts";
import { registerAttributionMethods } from "./attribution.ts";
import { registerAuthorMethods, registerPaymentMethods } from "./author.ts";
import { registerChainMethods } from "./chain.ts";
import { registerEmissionMethods } from "./emission.ts";
import { registerGovernanceMethods } from "./governance.ts";
import { registerRegistryMethods } from "./registry.ts";
import { registerStateMethods } from "./state.ts";
import { registerGrandpaMethods, registerRpcMethods, registerSystemMethods } from "./system.ts";

export { MAX_KEYS_PAGED } from "./state.ts";

/** Registers the Substrate-compatible namespaces; `rpc_methods` sees everything registered later too. */
export function registerNodeMethods(registry: MethodRegistry, api: NodeApi): void {
  registerSystemMethods(registry, api);
  registerChainMethods(registry, api);
  registerStateMethods(registry, api);
  registerAuthorMethods(registry, api);
  registerPaymentMethods(registry, api);
  registerGrandpaMethods(registry, api);
  registerGovernanceMethods(registry, api);
  registerRegistryMethods(registry, api);
  registerAttributionMethods(registry, api);
  registerAttestationMethods(registry, api);
  registerEmissionMethods(registry, api);
  registerRpcMethods(registry);
}
