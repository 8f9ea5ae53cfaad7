// emission_*: the chain's economic health records and the emission schedule's projection.
import * as v from "valibot";
import { invalidParams } from "../jsonrpc.ts";
import type { MethodRegistry } from "../method-registry.ts";
import type { NodeApi } from "../node-api.ts";
import { blockHash, optional, params } from "./params.ts";

/** The most epochs one call returns or projects. */
export const MAX_EMISSION_EPOCHS = 1_000;

const epoch = v.pipe(
  v.number("expected an epoch number"),
  v.safeInteger("expected an epoch number"),
  v.minValue(0, "epochs count from 0"),
);
const count = v.pipe(
  v.number("expected a number of epochs"),
  v.safeInteger("expected a number of epochs"),
  v.minValue(1, "at least one epoch"),
  v.maxValue(MAX_EMISSION_EPOCHS, `at most ${MAX_EMISSION_EPOCHS} epochs`),
);

export function registerEmissionMethods(registry: MethodRegistry, api: NodeApi): void {
  registry
    .method({
      name: "emission_health",
      params: params([epoch, optional(epoch), optional(blockHash)]),
      handler: ([from, to, at]) => {
        if (to !== undefined && to < from)
          throw invalidParams(`param 1: the range ends (${to}) before it starts (${from})`);
        return api.emission.health(from, to, at);
      },
    })
    .method({
      name: "emission_schedule",
      params: params([optional(count), optional(blockHash)]),
      handler: ([n, at]) => api.emission.schedule(n ?? 10, at),
    });
}
