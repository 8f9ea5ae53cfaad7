// attribution_* answers: the attribution pallet's models, pools, claimable rewards and quotes read
// from a block's state and turned into JSON (amounts as decimal strings, accounts as SS58).
import { toHex } from "../primitives/bytes.ts";
import { AmountError, LineageError } from "../primitives/errors.ts";
import { parseAccountId, ss58Encode } from "../primitives/ss58.ts";
import type { Hex, NodeApi, RpcClaimableEntry, RpcMeasurement, RpcModel } from "../rpc/node-api.ts";
import {
  ACC_PRECISION,
  claimableFor,
  getModel,
  getPool,
  listModels,
  type Measurement,
  type Model,
  poolBalance,
  quoteInference,
} from "../runtime/pallets/attribution/index.ts";
import { getDatanet, listContributions } from "../runtime/pallets/registry/index.ts";
import type { StorageScan } from "../runtime/storage.ts";

export function attributionApi(
  stateAt: (at: Hex | undefined) => StorageScan,
  ss58Prefix: number,
): NodeApi["attribution"] {
  const measurementJson = (m: Measurement): RpcMeasurement => ({
    method: m.methodName,
    methodVersion: m.methodVersion,
    inputsHash: toHex(m.inputsHash) as Hex,
    inputsUri: m.inputsUri,
    windowEpochs: m.windowEpochs,
    startEpoch: m.startEpoch,
    server: m.server.length === 0 ? null : ss58Encode(m.server, ss58Prefix),
  });
  const modelJson = (id: number, m: Model): RpcModel => ({
    id,
    owner: ss58Encode(m.owner, ss58Prefix),
    metadataUri: m.metadataUri,
    manifest: m.manifest.map((e) => ({
      datanet: e.datanetId,
      version: e.version,
      weightPpm: e.weightPpm,
    })),
    pricePerUnit: m.pricePerUnit.toString(),
    dataSharePpm: m.dataSharePpm,
    retired: m.retired,
    registeredAt: m.registeredAt,
    measurement: m.measurement === null ? null : measurementJson(m.measurement),
  });
  const totalOf = (items: RpcClaimableEntry[]) =>
    items.reduce((sum, e) => sum + BigInt(e.amount), 0n).toString();
  return {
    model: (id, at) => {
      const model = getModel(stateAt(at), id);
      return model ? modelJson(id, model) : null;
    },
    models: (start, count, at) => {
      const page = listModels(stateAt(at), start, count + 1);
      const items = page.slice(0, count).map(({ id, model }) => modelJson(id, model));
      return { items, next: page.length > count ? page[count]!.id : null };
    },
    claimable: (query, at) => {
      const s = stateAt(at);
      if ("contribution" in query) {
        const { datanet, version, id } = query.contribution;
        const items = [
          {
            datanet,
            version,
            contribution: id,
            amount: claimableFor(s, datanet, version, id).toString(),
          },
        ];
        return { items, total: totalOf(items), next: null };
      }
      const page = listContributions(
        s,
        { contributor: parseAccountId(query.contributor) },
        query.start ?? 0,
        query.count ?? 100,
      );
      const items: RpcClaimableEntry[] = [];
      for (const { id, contribution } of page.items) {
        const versions = getDatanet(s, contribution.datanetId)?.versionCount ?? 0;
        for (let version = 1; version <= versions; version++) {
          const amount = claimableFor(s, contribution.datanetId, version, id);
          if (amount > 0n) {
            items.push({
              datanet: contribution.datanetId,
              version,
              contribution: id,
              amount: amount.toString(),
            });
          }
        }
      }
      return { items, total: totalOf(items), next: page.next };
    },
    pool: (datanet, version, at) => {
      const pool = getPool(stateAt(at), datanet, version);
      if (!pool) return null;
      return {
        datanet,
        version,
        totalWeight: (pool.scale / ACC_PRECISION).toString(),
        liveWeight: pool.liveWeight.toString(),
        deposited: pool.deposited.toString(),
        claimed: pool.claimed.toString(),
        balance: poolBalance(pool).toString(),
        acc: pool.acc.toString(),
        carry: pool.carry.toString(),
        scale: pool.scale.toString(),
      };
    },
    quote: (modelId, units, at) => {
      const s = stateAt(at);
      const model = getModel(s, modelId);
      if (!model) return null;
      let split: ReturnType<typeof quoteInference>;
      try {
        split = quoteInference(s, modelId, BigInt(units));
      } catch (error) {
        if (error instanceof AmountError) {
          throw new LineageError(
            "INVALID_PARAMS",
            `${units} units at ${model.pricePerUnit} planck each exceed u128`,
          );
        }
        throw error;
      }
      if (!split) return null;
      return {
        model: modelId,
        units,
        pricePerUnit: model.pricePerUnit.toString(),
        total: split.total.toString(),
        burned: split.burned.toString(),
        toTreasury: split.toTreasury.toString(),
        toOwner: split.toOwner.toString(),
        dataShare: split.dataShare.toString(),
        perEntry: model.manifest.map((e, i) => ({
          datanet: e.datanetId,
          version: e.version,
          weightPpm: e.weightPpm,
          amount: (split.perEntry[i] ?? 0n).toString(),
        })),
      };
    },
  };
}
