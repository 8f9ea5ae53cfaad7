// attestation_*: measured attribution's methods, the attestors, a measured model's windows and the
// contributions its reports cover, and a contribution's leaf of a settled window with its proof.
import * as v from "valibot";
import type { MethodRegistry } from "../method-registry.ts";
import type { NodeApi } from "../node-api.ts";
import { accountId, blockHash, optional, params } from "./params.ts";

/** The most records one page returns (as attribution_*'s pages). */
export const MAX_ATTESTATION_PAGE = 100;

const U32_MAX = 0xffff_ffff;

const id = v.pipe(
  v.number("expected a non-negative integer id"),
  v.safeInteger("expected a non-negative integer id"),
  v.minValue(0, "expected a non-negative integer id"),
);
const window = v.pipe(
  v.number("expected a window number"),
  v.safeInteger("expected a window number"),
  v.minValue(0, "windows count from 0"),
  v.maxValue(U32_MAX, `a window number is at most ${U32_MAX}`),
);
const pageSize = v.pipe(
  v.number("expected a page size"),
  v.safeInteger("expected a page size"),
  v.minValue(1, "a page holds at least one record"),
  v.maxValue(MAX_ATTESTATION_PAGE, `a page holds at most ${MAX_ATTESTATION_PAGE} records`),
);

export function registerAttestationMethods(registry: MethodRegistry, api: NodeApi): void {
  registry
    .method({
      name: "attestation_methods",
      params: params([optional(blockHash)]),
      handler: ([at]) => api.attestation.methods(at),
    })
    .method({
      name: "attestation_attestor",
      params: params([accountId, optional(blockHash)]),
      handler: ([account, at]) => api.attestation.attestor(account, at),
    })
    .method({
      name: "attestation_attestors",
      params: params([optional(accountId), optional(pageSize), optional(blockHash)]),
      handler: ([after, count, at]) =>
        api.attestation.attestors(after ?? null, count ?? MAX_ATTESTATION_PAGE, at),
    })
    .method({
      name: "attestation_window",
      params: params([id, window, optional(blockHash)]),
      handler: ([model, w, at]) => api.attestation.window(model, w, at),
    })
    .method({
      name: "attestation_windows",
      params: params([id, optional(window), optional(pageSize), optional(blockHash)]),
      handler: ([model, after, count, at]) =>
        api.attestation.windows(model, after ?? null, count ?? MAX_ATTESTATION_PAGE, at),
    })
    .method({
      name: "attestation_contributions",
      params: params([id, optional(id), optional(pageSize), optional(blockHash)]),
      handler: ([model, start, count, at]) =>
        api.attestation.contributions(model, start ?? 0, count ?? MAX_ATTESTATION_PAGE, at),
    })
    .method({
      name: "attestation_measured",
      // The node fetches the report from a URI an attestor put on chain: an outbound request any
      // caller could aim, so only trusted callers may make it.
      unsafe: true,
      params: params([id, window, id, optional(blockHash)]),
      handler: ([model, w, contribution, at]) =>
        api.attestation.measured(model, w, contribution, at),
    });
}
