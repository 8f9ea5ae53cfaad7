// attribution_*: models, claimable rewards, version pools and inference quotes.
import * as v from "valibot";
import type { MethodRegistry } from "../method-registry.ts";
import type { NodeApi } from "../node-api.ts";
import { accountId, blockHash, optional, params } from "./params.ts";

/** The most records one page returns. */
export const MAX_ATTRIBUTION_PAGE = 100;

const id = v.pipe(
  v.number("expected a non-negative integer id"),
  v.safeInteger("expected a non-negative integer id"),
  v.minValue(0, "expected a non-negative integer id"),
);
const version = v.pipe(
  v.number("expected a version number (versions count from 1)"),
  v.safeInteger("expected a version number (versions count from 1)"),
  v.minValue(1, "versions count from 1"),
);
const pageSize = v.pipe(
  v.number("expected a page size"),
  v.safeInteger("expected a page size"),
  v.minValue(1, "a page holds at least one record"),
  v.maxValue(MAX_ATTRIBUTION_PAGE, `a page holds at most ${MAX_ATTRIBUTION_PAGE} records`),
);
const units = v.pipe(
  v.number("expected a number of inference units"),
  v.safeInteger("expected a whole number of inference units"),
  v.minValue(1, "a quote is for at least one unit"),
);
const CLAIMABLE_MESSAGE =
  "expected {contribution: {datanet, version, id}} or {contributor, start?, count?}";
const claimableQuery = v.union(
  [
    v.strictObject({
      contribution: v.strictObject(
        { datanet: id, version, id },
        "the contribution takes datanet, version and id",
      ),
    }),
    v.strictObject({
      contributor: accountId,
      start: optional(id),
      count: optional(pageSize),
    }),
  ],
  CLAIMABLE_MESSAGE,
);

export function registerAttributionMethods(registry: MethodRegistry, api: NodeApi): void {
  registry
    .method({
      name: "attribution_model",
      params: params([id, optional(blockHash)]),
      handler: ([model, at]) => api.attribution.model(model, at),
    })
    .method({
      name: "attribution_models",
      params: params([optional(id), optional(pageSize), optional(blockHash)]),
      handler: ([start, count, at]) =>
        api.attribution.models(start ?? 0, count ?? MAX_ATTRIBUTION_PAGE, at),
    })
    .method({
      name: "attribution_claimable",
      params: params([claimableQuery, optional(blockHash)]),
      handler: ([query, at]) =>
        api.attribution.claimable(
          "contribution" in query
            ? { contribution: query.contribution }
            : {
                contributor: query.contributor,
                start: query.start ?? 0,
                count: query.count ?? MAX_ATTRIBUTION_PAGE,
              },
          at,
        ),
    })
    .method({
      name: "attribution_pool",
      params: params([id, version, optional(blockHash)]),
      handler: ([datanet, v, at]) => api.attribution.pool(datanet, v, at),
    })
    .method({
      name: "attribution_quote",
      params: params([id, units, optional(blockHash)]),
      handler: ([model, n, at]) => api.attribution.quote(model, n, at),
    });
}
