import { InvariantError } from "../../errors.ts";
import type { RuntimeStorage } from "../../storage.ts";
import { versionEntries } from "../registry/index.ts";
import { readAccount } from "../system.ts";
import { heldInWindows, measuredStorage, owedBySettlements } from "./measured-storage.ts";
import { claimable, poolBalance } from "./pool.ts";
import { ATTRIBUTION_ACCOUNT, getPosition, storage } from "./storage.ts";

/**
 * Try-state: the attribution account holds at least every pool's balance (anyone may transfer to
 * it; only pools take from it); no pool paid out more than it received; what every pool's
 * contributions can still claim is covered by its balance and its live weight is the weight of
 * its unslashed entries. So every unclaimed reward is covered by funds inside total issuance.
 */
export function attributionInvariants(s: RuntimeStorage): void {
  let pools = 0n;
  for (const [key, pool] of storage.pools.entries(s)) {
    const view = new DataView(key.buffer, key.byteOffset, key.length);
    const datanetId = Number(view.getBigUint64(0));
    const version = view.getUint32(8);
    const where = `pool of datanet #${datanetId} v${version}`;
    if (pool.claimed > pool.deposited)
      throw new InvariantError("ATTRIBUTION_POOL", `${where} paid out more than it received`);
    let owed = 0n;
    let live = 0n;
    for (const e of versionEntries(s, datanetId, version)) {
      const position = getPosition(s, datanetId, version, e.contributionId);
      owed += claimable(pool, BigInt(e.weight), position);
      if (!position.slashed) live += BigInt(e.weight);
    }
    if (owed > poolBalance(pool))
      throw new InvariantError(
        "ATTRIBUTION_POOL",
        `${where} owes ${owed} unclaimed > its balance ${poolBalance(pool)}`,
      );
    if (live !== pool.liveWeight)
      throw new InvariantError("ATTRIBUTION_POOL", `${where} live weight is off`);
    pools += poolBalance(pool);
  }
  const windows = heldInWindows(s);
  const owed = owedBySettlements(s);
  for (const [, settlement] of measuredStorage.settlements.entries(s))
    if (settlement.claimed > settlement.distributable)
      throw new InvariantError(
        "ATTRIBUTION_SETTLEMENT",
        "a settled window paid out more than its pot",
      );
  const held = readAccount(s, ATTRIBUTION_ACCOUNT).free;
  if (held < pools + windows + owed)
    throw new InvariantError(
      "ATTRIBUTION_POT",
      `attribution account holds ${held} < pools ${pools} + windows ${windows} + settled reports ${owed}`,
    );
}
