// Try-state checks of the registry, run after every block in tests.
import { toHex } from "../../../primitives/bytes.ts";
import { InvariantError } from "../../errors.ts";
import type { RuntimeStorage } from "../../storage.ts";
import { readAccount } from "../system.ts";
import { keys, storage } from "./storage.ts";
import { type Contribution, ContributionStatus } from "./types.ts";

const reviewed = (c: Contribution) =>
  c.status === ContributionStatus.accepted || c.status === ContributionStatus.rejected;

/**
 * Try-state: `Held` equals, account by account, the deposits of open datanets plus the curator
 * bonds, the contribution bonds and review fees, and the challenge and appeal bonds the registry
 * records, and never exceeds the account's reserve. Only pending contributions and open decisions
 * keep a bond or a fee; a challenge is on an open acceptance, an appeal on an open, appealed
 * rejection; each datanet's pending and challenge counters match, each curator's count of
 * open decisions is the number of open decisions it made, and `AcceptedIn` counts each
 * account's accepted contributions per datanet.
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
  const open = new Map<string, number>();
  const accepted = new Map<string, number>();
  for (const [, datanet] of storage.datanets.entries(s)) {
    if (datanet.closed && datanet.deposit !== 0n)
      throw new InvariantError("REGISTRY_DEPOSIT", "a closed datanet still holds a deposit");
    add(datanet.owner, datanet.deposit);
  }
  for (const [key, record] of storage.curators.entries(s)) {
    add(key.subarray(8), record.bond);
    if (record.open < 0)
      throw new InvariantError("REGISTRY_CURATOR", `${toHex(key)} has a negative open count`);
  }
  for (const [id, c] of storage.contributions.entries(s)) {
    add(c.contributor, c.bond + c.reviewFee);
    if (c.status === ContributionStatus.pending)
      pending.set(c.datanetId, (pending.get(c.datanetId) ?? 0) + 1);
    else if ((c.bond > 0n || c.reviewFee > 0n) && !c.decisionOpen)
      throw new InvariantError(
        "REGISTRY_BOND",
        `contribution #${id} keeps a bond or fee after its decision settled`,
      );
    if (c.status === ContributionStatus.accepted) {
      const key = toHex(keys.acceptedIn(c.datanetId, c.contributor));
      accepted.set(key, (accepted.get(key) ?? 0) + 1);
    }
    if (c.decisionOpen && !reviewed(c))
      throw new InvariantError("REGISTRY_DECISION", `contribution #${id} is open but not reviewed`);
    if (c.decisionOpen && c.reviewer.length === 32) {
      const key = `${c.datanetId}/${toHex(c.reviewer)}`;
      open.set(key, (open.get(key) ?? 0) + 1);
    }
  }
  for (const [id, challenge] of storage.challenges.entries(s)) {
    add(challenge.challenger, challenge.bond);
    const c = storage.contributions.get(s, id);
    const on = challenge.appeal ? ContributionStatus.rejected : ContributionStatus.accepted;
    if (c?.status !== on || !c.decisionOpen || (challenge.appeal && !c.appealed))
      throw new InvariantError(
        "REGISTRY_CHALLENGE",
        `the ${challenge.appeal ? "appeal" : "challenge"} of #${id} is not on an open decision of its kind`,
      );
    challenged.set(c.datanetId, (challenged.get(c.datanetId) ?? 0) + 1);
  }
  for (const [key, record] of storage.curators.entries(s)) {
    const datanetId = Number(new DataView(key.buffer, key.byteOffset, 8).getBigUint64(0));
    const want = open.get(`${datanetId}/${toHex(key.subarray(8))}`) ?? 0;
    if (record.open !== want)
      throw new InvariantError(
        "REGISTRY_CURATOR",
        `curator ${toHex(key.subarray(8))} of datanet #${datanetId} counts ${record.open} open decisions, records say ${want}`,
      );
    open.delete(`${datanetId}/${toHex(key.subarray(8))}`);
  }
  if (open.size > 0)
    throw new InvariantError("REGISTRY_CURATOR", "an open decision's curator has no record");
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
  for (const [key, n] of storage.acceptedIn.entries(s)) {
    if (accepted.get(toHex(key)) !== n)
      throw new InvariantError(
        "REGISTRY_ACCEPTED_IN",
        `AcceptedIn ${toHex(key)} is ${n}, the contributions say ${accepted.get(toHex(key)) ?? 0}`,
      );
    accepted.delete(toHex(key));
  }
  if (accepted.size > 0)
    throw new InvariantError("REGISTRY_ACCEPTED_IN", "an accepted contribution is not counted");
}
