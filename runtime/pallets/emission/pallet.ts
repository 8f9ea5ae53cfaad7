// The emission pallet: once per epoch, tokens are minted by a geometrically decaying schedule
// under a maximum supply — validators by blocks authored, contributors in proportion to the data
// fees their pools earned from real (not self-dealing) payments and never more than k × the
// epoch's marketplace volume, the treasury its share — and an economic health record is written.
// The schedule is schedule.ts; the close, with bounded work per block, is close.ts.
import { InvariantError } from "../../errors.ts";
import type { Pallet } from "../../pallet.ts";
import { currentEpoch } from "../authorities.ts";
import { totalIssuance } from "../balances.ts";
import { advanceCloses, countAuthor } from "./close.ts";
import { EMISSION_EVENTS, EMISSION_INDEX } from "./events.ts";
import { NAME, Phase, storage } from "./storage.ts";

export const emission: Pallet = {
  name: NAME,
  index: EMISSION_INDEX,
  storage: Object.values(storage).map((item) => item.info),
  calls: [],
  events: EMISSION_EVENTS,
  errors: {},
  onInitialize(ctx) {
    const epoch = currentEpoch(ctx.storage);
    countAuthor(ctx, epoch);
    advanceCloses(ctx, epoch);
  },
  onFinalize(ctx) {
    // The last write of an epoch's last block is its end-of-epoch supply, for the health record.
    storage.endIssuance.set(ctx.storage, currentEpoch(ctx.storage), totalIssuance(ctx.storage));
  },
  genesis(s) {
    // Balances wrote its genesis first (pallet order): the schedule starts from that issuance.
    storage.scheduled.set(s, totalIssuance(s));
    storage.endIssuance.set(s, 0, totalIssuance(s));
  },
  invariants(s) {
    const closing = storage.nextToClose.get(s);
    const minting = storage.nextToMint.get(s);
    if (closing > minting || minting > currentEpoch(s))
      throw new InvariantError(
        "EMISSION_CLOSE",
        `closing ${closing}, minting ${minting}, current epoch ${currentEpoch(s)}`,
      );
    let expected = closing;
    for (const [epoch, job] of storage.job.entries(s)) {
      // Every epoch from closing up to minting has a job; minted ones are past their pools.
      if (epoch !== expected || epoch > minting)
        throw new InvariantError(
          "EMISSION_CLOSE",
          `a close job for ${epoch}, expected ${expected}`,
        );
      if (epoch < minting && job.phase < Phase.newContributors)
        throw new InvariantError("EMISSION_CLOSE", `epoch ${epoch} counted minted but is not`);
      expected++;
    }
    if (expected < minting)
      throw new InvariantError("EMISSION_CLOSE", `epoch ${expected} minted without a job`);
    // The population: every contributor is in the bucket of its LastActive epoch, and the
    // passive count is the buckets below the threshold.
    const buckets = new Map<number, number>();
    for (const [, epoch] of storage.lastActive.entries(s))
      buckets.set(epoch, (buckets.get(epoch) ?? 0) + 1);
    const below = storage.passiveBelow.get(s);
    let passive = 0;
    for (const [epoch, count] of storage.activeBucket.entries(s)) {
      if (buckets.get(epoch) !== count)
        throw new InvariantError("EMISSION_POPULATION", `bucket ${epoch} holds ${count}`);
      buckets.delete(epoch);
      if (epoch < below) passive += count;
    }
    if (buckets.size > 0)
      throw new InvariantError("EMISSION_POPULATION", "a contributor is in no bucket");
    if (passive !== storage.passive.get(s))
      throw new InvariantError(
        "EMISSION_POPULATION",
        `passive ${storage.passive.get(s)} != ${passive}`,
      );
  },
};
