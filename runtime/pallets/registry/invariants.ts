// Try-state checks of the registry, run after every block in tests.
import { toHex } from "../../../primitives/bytes.ts";
import { InvariantError } from "../../errors.ts";
import type { RuntimeStorage } from "../../storage.ts";
import { readAccount } from "../system.ts";
import { storage } from "./storage.ts";
import { ContributionStatus } from "./types.ts";

/**
 * Try-state: `Held` equals, account by account, the deposits of open datanets plus the bonds of
 * contributions and challenges the registry records, and never exceeds the account's reserve;
 * each datanet's pending and challenge counters match its contributions and challenges.
 */
export function registryInvariants(s: RuntimeStorage): void {
  const expected = new Map<string, bigint>();
  const add = (who: Uint8Array, amount: bigint) => {
    if (amount === 0n) return;
    const key = toHex(who);
    expected.set(key, (expected.get(key) ?? 0n) + amount);
  };
  const pending = new Map<number, number>();
  const challenged = new Map<number, number>();
  for (const [, datanet] of storage.datanets.entries(s)) {
    if (datanet.closed && datanet.deposit !== 0n)
      throw new InvariantError("REGISTRY_DEPOSIT", "a closed datanet still holds a deposit");
    add(datanet.owner, datanet.deposit);
  }
  for (const [id, c] of storage.contributions.entries(s)) {
    add(c.contributor, c.bond);
    if (c.status === ContributionStatus.pending)
      pending.set(c.datanetId, (pending.get(c.datanetId) ?? 0) + 1);
    else if (c.bond > 0n && c.status !== ContributionStatus.accepted)
      throw new InvariantError("REGISTRY_BOND", `contribution #${id} keeps a bond after review`);
  }
  for (const [id, challenge] of storage.challenges.entries(s)) {
    add(challenge.challenger, challenge.bond);
    const c = storage.contributions.get(s, id);
    if (c?.status !== ContributionStatus.accepted)
      throw new InvariantError(
        "REGISTRY_CHALLENGE",
        `challenge of #${id} is not on an accepted contribution`,
      );
    challenged.set(c.datanetId, (challenged.get(c.datanetId) ?? 0) + 1);
  }
  let accounts = 0;
  for (const [who, held] of storage.held.entries(s)) {
    accounts++;
    const want = expected.get(toHex(who)) ?? 0n;
    if (held !== want)
      throw new InvariantError("REGISTRY_HELD", `${toHex(who)} held ${held}, records say ${want}`);
    const reserved = readAccount(s, who).reserved;
    if (reserved < held)
      throw new InvariantError(
        "REGISTRY_RESERVE",
        `${toHex(who)} reserves ${reserved} < held ${held}`,
      );
  }
  if (accounts !== expected.size)
    throw new InvariantError("REGISTRY_HELD", "an account's deposits or bonds are not in Held");
  for (const [id, datanet] of storage.datanets.entries(s)) {
    if (datanet.pendingCount !== (pending.get(id) ?? 0))
      throw new InvariantError("REGISTRY_PENDING", `datanet #${id} pending count is off`);
    if (datanet.openChallenges !== (challenged.get(id) ?? 0))
      throw new InvariantError("REGISTRY_CHALLENGES", `datanet #${id} challenge count is off`);
  }
}
