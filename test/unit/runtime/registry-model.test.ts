// Property test: random sequences of registry calls and block advances, run against the pallet
// and against a plain model of the rules written here from the documentation (not from the
// pallet's code). After every step the outcome, every balance and reserve, total issuance,
// statuses, bonds, review fees, curator bonds and records, deposits and reputations must agree.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { u128ToBytes } from "../../../primitives/amount.ts";
import { DEV_ACCOUNT_NAMES } from "../../../primitives/dev-accounts.ts";
import { totalIssuance } from "../../../runtime/pallets/balances.ts";
import {
  getContribution,
  getCurator,
  getDatanet,
  getReputation,
  getVersion,
} from "../../../runtime/pallets/registry/index.ts";
import { TREASURY_ACCOUNT } from "../../../runtime/pallets/transaction-payment.ts";
import { contentHash, datanetArgs, RegistryHarness, UNIT } from "./fixtures/registry-harness.ts";
import { devSpecWith, pub } from "./fixtures/test-chain.ts";

const ACTORS = DEV_ACCOUNT_NAMES.map((n) => pub(n));
const CURATOR = 4; // eve curates the curated datanets
const TREASURY = ACTORS.length;
const REVIEW_WINDOW = 15;
const CHALLENGE_WINDOW = 10;
const CHALLENGE_EXPIRY = 12;
const PPM = 1_000_000n;
const FEE = UNIT / 10n;
const CURATOR_BOND = 10n * UNIT;
const DEPOSIT = 10n * UNIT;
const CHALLENGE_BOND = 5n * UNIT;

type Action =
  | { kind: "create"; who: number; curated: boolean }
  | { kind: "submit"; who: number; datanet: number; content: number }
  | { kind: "withdraw"; who: number; contribution: number }
  | { kind: "accept"; who: number; contribution: number; quality: number }
  | { kind: "reject"; who: number; contribution: number }
  | { kind: "challenge"; who: number; contribution: number }
  | { kind: "resolve"; who: number; contribution: number; uphold: boolean }
  | { kind: "forceResolve"; contribution: number; uphold: boolean }
  | { kind: "bond"; who: number; datanet: number; amount: bigint }
  | { kind: "unbond"; who: number; datanet: number }
  | { kind: "topUp"; who: number; datanet: number; amount: bigint }
  | { kind: "appeal"; who: number; contribution: number }
  | { kind: "resolveAppeal"; who: number; contribution: number; overturn: boolean; quality: number }
  | { kind: "forceResolveAppeal"; contribution: number; overturn: boolean; quality: number }
  | { kind: "publish"; who: number; datanet: number }
  | { kind: "close"; who: number; datanet: number }
  | { kind: "transfer"; who: number; datanet: number; to: number }
  | { kind: "advance"; blocks: number };

const who = fc.nat(ACTORS.length - 1);
/**
 * -1 stands for the likely actor, resolved on the model: the contribution's curator (accept,
 * reject), its contributor (withdraw, appeal), the datanet's owner (resolve, top up) or the
 * curated datanets' curator (bond, unbond).
 */
const reviewer = fc.oneof({ arbitrary: fc.constant(-1), weight: 3 }, { arbitrary: who, weight: 1 });
const contributionId = fc.nat(14);
/**
 * -1 stands for the lowest contribution with an open challenge (or appeal) to resolve; for a
 * challenge or an appeal, the lowest open acceptance (or rejection) not yet disputed.
 */
const challenged = fc.oneof(
  { arbitrary: fc.constant(-1), weight: 3 },
  { arbitrary: contributionId, weight: 1 },
);
const stakeAmount = fc.constantFrom(0n, 5n * UNIT, 10n * UNIT);
const appealQuality = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 100 }), weight: 4 },
  { arbitrary: fc.constantFrom(0, 101), weight: 1 },
);
const action: fc.Arbitrary<Action> = fc.oneof(
  {
    arbitrary: fc.record({ kind: fc.constant("create" as const), who, curated: fc.boolean() }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("submit" as const),
      who,
      datanet: fc.nat(2),
      content: fc.nat(15),
    }),
    weight: 6,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("withdraw" as const),
      who: reviewer,
      contribution: contributionId,
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("accept" as const),
      who: reviewer,
      contribution: contributionId,
      quality: fc.integer({ min: 1, max: 100 }),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("reject" as const),
      who: reviewer,
      contribution: contributionId,
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("challenge" as const),
      who,
      contribution: challenged,
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("resolve" as const),
      who: reviewer,
      contribution: challenged,
      uphold: fc.boolean(),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("forceResolve" as const),
      contribution: challenged,
      uphold: fc.boolean(),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("bond" as const),
      who: reviewer,
      datanet: fc.nat(2),
      amount: stakeAmount,
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("unbond" as const),
      who: reviewer,
      datanet: fc.nat(2),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("topUp" as const),
      who: reviewer,
      datanet: fc.nat(2),
      amount: stakeAmount,
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("appeal" as const),
      who: reviewer,
      contribution: challenged,
    }),
    weight: 5,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("resolveAppeal" as const),
      who: reviewer,
      contribution: challenged,
      overturn: fc.boolean(),
      quality: appealQuality,
    }),
    weight: 5,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("forceResolveAppeal" as const),
      contribution: challenged,
      overturn: fc.boolean(),
      quality: appealQuality,
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({ kind: fc.constant("publish" as const), who, datanet: fc.nat(2) }),
    weight: 1,
  },
  {
    arbitrary: fc.record({ kind: fc.constant("close" as const), who, datanet: fc.nat(2) }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("transfer" as const),
      who,
      datanet: fc.nat(2),
      to: who,
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("advance" as const),
      blocks: fc.integer({ min: 1, max: 8 }),
    }),
    weight: 3,
  },
);

// ---- the model ----

interface MDatanet {
  owner: number;
  curated: boolean;
  deposit: bigint;
  closed: boolean;
  versions: { count: number; totalWeight: number }[];
}
type MStatus = "pending" | "accepted" | "rejected" | "slashed" | "withdrawn";
interface MContribution {
  datanet: number;
  contributor: number;
  content: number;
  bond: bigint;
  fee: bigint;
  status: MStatus;
  weight: number;
  /** Pending: the review deadline; accepted: the end of the challenge window; rejected: of the appeal window. */
  deadline: number;
  /** Who decided: an actor, or ROOT. */
  reviewer: number;
  open: boolean;
  appealed: boolean;
}
interface MChallenge {
  challenger: number;
  bond: bigint;
  expiresAt: number;
  appeal: boolean;
}
interface MCurator {
  bond: bigint;
  open: number;
  decisions: number;
  stood: number;
  overturned: number;
  slashed: bigint;
  earned: bigint;
}

const ROOT = -2;
const STATUS_CODE: Record<MStatus, number> = {
  pending: 0,
  accepted: 1,
  rejected: 2,
  slashed: 3,
  withdrawn: 4,
};

class Model {
  free: bigint[];
  reserved: bigint[];
  score: number[] = ACTORS.map(() => 0);
  datanets: MDatanet[] = [];
  contributions: MContribution[] = [];
  challenges = new Map<number, MChallenge>();
  curators = new Map<string, MCurator>();
  now = 1;

  constructor(free: bigint[], reserved: bigint[]) {
    this.free = free;
    this.reserved = reserved;
  }

  hold(a: number, amount: bigint) {
    this.free[a]! -= amount;
    this.reserved[a]! += amount;
  }
  release(a: number, amount: bigint) {
    this.reserved[a]! -= amount;
    this.free[a]! += amount;
  }
  /** Slashed reserve of `from` paid to `to`. */
  pay(from: number, to: number, amount: bigint) {
    this.reserved[from]! -= amount;
    this.free[to]! += amount;
  }

  curator(d: number, a: number): MCurator {
    const key = `${d}/${a}`;
    let c = this.curators.get(key);
    if (!c) {
      c = { bond: 0n, open: 0, decisions: 0, stood: 0, overturned: 0, slashed: 0n, earned: 0n };
      this.curators.set(key, c);
    }
    return c;
  }
  peekCurator(d: number, a: number): MCurator | undefined {
    return this.curators.get(`${d}/${a}`);
  }

  bond(score: number): bigint {
    const factor =
      score < 0
        ? PPM + (2_000_000n * BigInt(-score)) / 1000n
        : PPM - (750_000n * BigInt(score)) / 1000n;
    const bond = (UNIT * factor) / PPM;
    return bond === 0n ? 1n : bond;
  }
  limit(score: number): number {
    const factor =
      score >= 0
        ? PPM + (2_000_000n * BigInt(score)) / 1000n
        : PPM - (800_000n * BigInt(-score)) / 1000n;
    const limit = Number((9n * factor) / PPM);
    return Math.max(limit, 1);
  }
  bump(a: number, delta: number) {
    this.score[a] = Math.max(-1000, Math.min(1000, this.score[a]! + delta));
  }
  isCurator(d: MDatanet, a: number) {
    return d.curated ? a === CURATOR : a === d.owner;
  }
  /** A curator reviews with a bond of at least 10 LIN; an owner curating with a 10 LIN deposit. */
  inStanding(di: number, a: number) {
    const d = this.datanets[di]!;
    if (!d.curated) return d.deposit >= DEPOSIT;
    return (this.peekCurator(di, a)?.bond ?? 0n) >= CURATOR_BOND;
  }
  pending(d: number, a: number) {
    return this.contributions.filter(
      (c) => c.datanet === d && c.contributor === a && c.status === "pending",
    ).length;
  }

  /** The decision stands: the fee goes to its decider (the treasury for root's), counted. */
  stands(c: MContribution) {
    if (c.reviewer === ROOT) this.pay(c.contributor, TREASURY, c.fee);
    else {
      this.pay(c.contributor, c.reviewer, c.fee);
      const r = this.curator(c.datanet, c.reviewer);
      r.open--;
      r.stood++;
      r.earned += c.fee;
    }
    c.fee = 0n;
    c.open = false;
  }

  /** The decision falls: `to` gets the fee and half the decider's slashed half-stake. */
  overturned(c: MContribution, to: number) {
    if (c.reviewer !== ROOT) {
      const r = this.curator(c.datanet, c.reviewer);
      const d = this.datanets[c.datanet]!;
      const fromBond = r.bond > 0n;
      const stake = fromBond ? r.bond : d.owner === c.reviewer ? d.deposit : 0n;
      const slashed = stake / 2n;
      const reward = slashed / 2n;
      this.pay(c.reviewer, to, reward);
      this.pay(c.reviewer, TREASURY, slashed - reward);
      if (fromBond) r.bond -= slashed;
      else d.deposit -= slashed;
      r.open--;
      r.overturned++;
      r.slashed += slashed;
    }
    if (to === c.contributor) this.release(to, c.fee);
    else this.pay(c.contributor, to, c.fee);
    c.fee = 0n;
    c.open = false;
  }

  accept(c: MContribution, quality: number, reviewer: number) {
    c.status = "accepted";
    c.weight = quality;
    c.deadline = this.now + CHALLENGE_WINDOW;
    c.reviewer = reviewer;
    c.open = true;
    if (reviewer !== ROOT) {
      const r = this.curator(c.datanet, reviewer);
      r.decisions++;
      r.open++;
    }
    this.bump(c.contributor, 2 * quality);
  }

  releaseIfDue(id: number) {
    const c = this.contributions[id]!;
    if (c.status === "accepted" && c.open && this.now >= c.deadline && !this.challenges.has(id)) {
      this.release(c.contributor, c.bond);
      c.bond = 0n;
      this.stands(c);
    }
  }

  standRejection(c: MContribution) {
    const slashed = c.bond / 2n;
    this.pay(c.contributor, TREASURY, slashed);
    this.release(c.contributor, c.bond - slashed);
    c.bond = 0n;
    this.stands(c);
  }

  closeChallenge(id: number, outcome: "upheld" | "dismissed" | "expired") {
    const ch = this.challenges.get(id)!;
    const c = this.contributions[id]!;
    this.challenges.delete(id);
    if (outcome === "upheld") {
      const reward = c.bond / 2n;
      this.pay(c.contributor, ch.challenger, reward);
      this.pay(c.contributor, TREASURY, c.bond - reward);
      this.release(ch.challenger, ch.bond);
      c.bond = 0n;
      this.overturned(c, ch.challenger);
      c.status = "slashed";
      this.bump(c.contributor, -300);
      return;
    }
    const slashed = outcome === "dismissed" ? ch.bond / 2n : 0n;
    this.pay(ch.challenger, TREASURY, slashed);
    this.release(ch.challenger, ch.bond - slashed);
    this.releaseIfDue(id);
  }

  closeAppeal(id: number, outcome: { overturn: number; judge: number } | "dismissed" | "expired") {
    const ap = this.challenges.get(id)!;
    const c = this.contributions[id]!;
    this.challenges.delete(id);
    if (typeof outcome === "object") {
      this.release(ap.challenger, ap.bond);
      this.overturned(c, ap.challenger);
      this.bump(c.contributor, 100);
      this.accept(c, outcome.overturn, outcome.judge);
      return;
    }
    const slashed = outcome === "dismissed" ? ap.bond / 2n : 0n;
    this.pay(ap.challenger, TREASURY, slashed);
    this.release(ap.challenger, ap.bond - slashed);
    this.standRejection(c);
  }

  /** Who judges a case: the owner, never the decider or a party; the error otherwise. */
  judge(a: number, c: MContribution, ch: MChallenge): string | null {
    if (c.reviewer === a) return "OwnDecision";
    if (this.datanets[c.datanet]!.owner !== a) return "NotOwner";
    if (c.contributor === a || ch.challenger === a) return "InterestedParty";
    return null;
  }

  /** The action with its -1 placeholders resolved. */
  concrete(raw: Action): Action {
    let a = raw;
    // The lowest open case of a kind; for the owner's calls, one a curator decided if any.
    const lowest = (appeal: boolean, byOwner: boolean) => {
      const ids = [...this.challenges.entries()]
        .filter(([, ch]) => ch.appeal === appeal)
        .map(([id]) => id)
        .sort((x, y) => x - y);
      const curated = ids.filter((id) => this.datanets[this.contributions[id]!.datanet]!.curated);
      return (byOwner && curated.length > 0 ? curated[0] : ids[0]) ?? 0;
    };
    if ((a.kind === "resolve" || a.kind === "forceResolve") && a.contribution === -1)
      a = { ...a, contribution: lowest(false, a.kind === "resolve") };
    if ((a.kind === "resolveAppeal" || a.kind === "forceResolveAppeal") && a.contribution === -1)
      a = { ...a, contribution: lowest(true, a.kind === "resolveAppeal") };
    if ((a.kind === "challenge" || a.kind === "appeal") && a.contribution === -1) {
      const status = a.kind === "challenge" ? "accepted" : "rejected";
      const id = this.contributions.findIndex(
        (c, i) => c.status === status && c.open && !c.appealed && !this.challenges.has(i),
      );
      a = { ...a, contribution: Math.max(id, 0) };
    }
    if ((a.kind === "withdraw" || a.kind === "appeal") && a.who === -1)
      return { ...a, who: this.contributions[a.contribution]?.contributor ?? 0 };
    if ((a.kind === "accept" || a.kind === "reject") && a.who === -1) {
      const c = this.contributions[a.contribution];
      const d = c && this.datanets[c.datanet]!;
      return { ...a, who: d ? (d.curated ? CURATOR : d.owner) : 0 };
    }
    if ((a.kind === "resolve" || a.kind === "resolveAppeal") && a.who === -1) {
      const c = this.contributions[a.contribution];
      return { ...a, who: c ? this.datanets[c.datanet]!.owner : 0 };
    }
    if ((a.kind === "bond" || a.kind === "unbond") && a.who === -1) return { ...a, who: CURATOR };
    if (a.kind === "topUp" && a.who === -1)
      return { ...a, who: this.datanets[a.datanet]?.owner ?? 0 };
    return a;
  }

  /** The outcome `a` would have, without applying it. */
  peek(a: Action): string {
    const copy = structuredClone(this) as Model;
    Object.setPrototypeOf(copy, Model.prototype);
    return copy.apply(a);
  }

  apply(a: Action): string {
    const E = (name: string) => `Registry.${name}`;
    const datanet = (i: number) => this.datanets[i];
    const contribution = (i: number) => this.contributions[i];
    switch (a.kind) {
      case "create":
        this.hold(a.who, DEPOSIT);
        this.datanets.push({
          owner: a.who,
          curated: a.curated,
          deposit: DEPOSIT,
          closed: false,
          versions: [],
        });
        return "ok";
      case "submit": {
        const d = datanet(a.datanet);
        if (!d) return E("UnknownDatanet");
        if (d.closed) return E("DatanetClosed");
        if (
          this.contributions.some(
            (c) => c.datanet === a.datanet && c.content === a.content && c.status !== "withdrawn",
          )
        )
          return E("DuplicateContent");
        if (this.pending(a.datanet, a.who) >= this.limit(this.score[a.who]!))
          return E("PendingLimit");
        const bond = this.bond(this.score[a.who]!);
        this.hold(a.who, bond + FEE);
        this.contributions.push({
          datanet: a.datanet,
          contributor: a.who,
          content: a.content,
          bond,
          fee: FEE,
          status: "pending",
          weight: 0,
          deadline: this.now + REVIEW_WINDOW,
          reviewer: -1,
          open: false,
          appealed: false,
        });
        return "ok";
      }
      case "withdraw": {
        const c = contribution(a.contribution);
        if (!c) return E("UnknownContribution");
        if (c.contributor !== a.who) return E("NotContributor");
        if (c.status !== "pending") return E("WrongStatus");
        this.release(c.contributor, c.bond + c.fee);
        c.bond = 0n;
        c.fee = 0n;
        c.status = "withdrawn";
        return "ok";
      }
      case "accept":
      case "reject": {
        const c = contribution(a.contribution);
        if (!c) return E("UnknownContribution");
        if (c.status !== "pending") return E("WrongStatus");
        if (!this.isCurator(datanet(c.datanet)!, a.who)) return E("NotCurator");
        if (!this.inStanding(c.datanet, a.who)) return E("CuratorNotBonded");
        if (a.kind === "accept") {
          this.accept(c, a.quality, a.who);
        } else {
          c.status = "rejected";
          c.deadline = this.now + CHALLENGE_WINDOW;
          c.reviewer = a.who;
          c.open = true;
          const r = this.curator(c.datanet, a.who);
          r.decisions++;
          r.open++;
          this.bump(c.contributor, -100);
        }
        return "ok";
      }
      case "challenge": {
        const c = contribution(a.contribution);
        if (!c) return E("UnknownContribution");
        if (c.status !== "accepted") return E("WrongStatus");
        if (datanet(c.datanet)!.closed) return E("DatanetClosed");
        if (this.now >= c.deadline) return E("WindowClosed");
        if (this.challenges.has(a.contribution)) return E("AlreadyChallenged");
        if (c.contributor === a.who) return E("SelfChallenge");
        this.hold(a.who, CHALLENGE_BOND);
        this.challenges.set(a.contribution, {
          challenger: a.who,
          bond: CHALLENGE_BOND,
          expiresAt: this.now + CHALLENGE_EXPIRY,
          appeal: false,
        });
        return "ok";
      }
      case "resolve":
      case "forceResolve": {
        const ch = this.challenges.get(a.contribution);
        if (!ch || ch.appeal) return E("NoChallenge");
        if (a.kind === "resolve") {
          const refused = this.judge(a.who, contribution(a.contribution)!, ch);
          if (refused) return E(refused);
        }
        this.closeChallenge(a.contribution, a.uphold ? "upheld" : "dismissed");
        return "ok";
      }
      case "bond": {
        const d = datanet(a.datanet);
        if (!d) return E("UnknownDatanet");
        if (d.closed) return E("DatanetClosed");
        if (!d.curated || a.who !== CURATOR) return E("NotCurator");
        const r = this.peekCurator(a.datanet, a.who);
        if (a.amount === 0n || (r?.bond ?? 0n) + a.amount < CURATOR_BOND) return E("BondTooLow");
        this.hold(a.who, a.amount);
        this.curator(a.datanet, a.who).bond += a.amount;
        return "ok";
      }
      case "unbond": {
        if (!datanet(a.datanet)) return E("UnknownDatanet");
        const r = this.peekCurator(a.datanet, a.who);
        if (!r || r.bond === 0n) return E("NoBond");
        if (r.open > 0) return E("OpenDecisions");
        this.release(a.who, r.bond);
        r.bond = 0n;
        return "ok";
      }
      case "topUp": {
        const d = datanet(a.datanet);
        if (!d) return E("UnknownDatanet");
        if (d.closed) return E("DatanetClosed");
        if (d.owner !== a.who) return E("NotOwner");
        if (a.amount === 0n || d.deposit + a.amount < DEPOSIT) return E("BondTooLow");
        this.hold(a.who, a.amount);
        d.deposit += a.amount;
        return "ok";
      }
      case "appeal": {
        const c = contribution(a.contribution);
        if (!c) return E("UnknownContribution");
        if (c.contributor !== a.who) return E("NotContributor");
        if (c.status !== "rejected") return E("WrongStatus");
        if (datanet(c.datanet)!.closed) return E("DatanetClosed");
        if (c.appealed) return E("AlreadyAppealed");
        if (!c.open || this.now >= c.deadline) return E("WindowClosed");
        this.hold(a.who, CHALLENGE_BOND);
        c.appealed = true;
        this.challenges.set(a.contribution, {
          challenger: a.who,
          bond: CHALLENGE_BOND,
          expiresAt: this.now + CHALLENGE_EXPIRY,
          appeal: true,
        });
        return "ok";
      }
      case "resolveAppeal":
      case "forceResolveAppeal": {
        const ap = this.challenges.get(a.contribution);
        if (!ap?.appeal) return E("NoAppeal");
        if (a.kind === "resolveAppeal") {
          const refused = this.judge(a.who, contribution(a.contribution)!, ap);
          if (refused) return E(refused);
        }
        if (a.overturn ? a.quality < 1 || a.quality > 100 : a.quality !== 0)
          return E("InvalidQuality");
        const judge = a.kind === "resolveAppeal" ? a.who : ROOT;
        this.closeAppeal(a.contribution, a.overturn ? { overturn: a.quality, judge } : "dismissed");
        return "ok";
      }
      case "publish": {
        const d = datanet(a.datanet);
        if (!d) return E("UnknownDatanet");
        if (d.closed) return E("DatanetClosed");
        if (d.owner !== a.who) return E("NotOwner");
        const accepted = this.contributions.filter(
          (c) => c.datanet === a.datanet && c.status === "accepted",
        );
        if (accepted.length === 0) return E("NothingToPublish");
        d.versions.push({
          count: accepted.length,
          totalWeight: accepted.reduce((s, c) => s + c.weight, 0),
        });
        return "ok";
      }
      case "close": {
        const d = datanet(a.datanet);
        if (!d) return E("UnknownDatanet");
        if (d.closed) return E("DatanetClosed");
        if (d.owner !== a.who) return E("NotOwner");
        if (this.contributions.some((c) => c.datanet === a.datanet && c.status === "pending"))
          return E("HasPending");
        if ([...this.challenges.keys()].some((id) => this.contributions[id]!.datanet === a.datanet))
          return E("HasChallenges");
        if ((this.peekCurator(a.datanet, a.who)?.open ?? 0) > 0) return E("OpenDecisions");
        this.release(a.who, d.deposit);
        d.deposit = 0n;
        d.closed = true;
        return "ok";
      }
      case "transfer": {
        const d = datanet(a.datanet);
        if (!d) return E("UnknownDatanet");
        if (d.closed) return E("DatanetClosed");
        if (d.owner !== a.who) return E("NotOwner");
        if (a.to === a.who) return E("SameOwner");
        if ((this.peekCurator(a.datanet, a.who)?.open ?? 0) > 0) return E("OpenDecisions");
        this.release(a.who, d.deposit);
        this.hold(a.to, d.deposit);
        d.owner = a.to;
        return "ok";
      }
      case "advance":
        for (let i = 0; i < a.blocks; i++) {
          this.now++;
          this.contributions.forEach((c, id) => {
            if (c.deadline !== this.now) return;
            if (c.status === "pending") {
              this.release(c.contributor, c.bond + c.fee);
              c.bond = 0n;
              c.fee = 0n;
              c.status = "withdrawn";
            } else if (c.status === "accepted") {
              this.releaseIfDue(id);
            }
          });
          for (const [id, ch] of [...this.challenges.entries()].sort(([x], [y]) => x - y)) {
            if (ch.expiresAt !== this.now) continue;
            if (ch.appeal) this.closeAppeal(id, "expired");
            else this.closeChallenge(id, "expired");
          }
          this.contributions.forEach((c, id) => {
            if (c.status === "rejected" && c.open && c.deadline === this.now)
              if (!this.challenges.has(id)) this.standRejection(c);
          });
        }
        return "ok";
    }
  }
}

function run(h: RegistryHarness, a: Action): string {
  const account = (i: number) => ACTORS[i]!;
  switch (a.kind) {
    case "create":
      return h.call(
        account(a.who),
        "createDatanet",
        datanetArgs({
          policy: {
            curators: a.curated ? [account(CURATOR)] : [],
            minBond: u128ToBytes(UNIT),
            reviewWindow: REVIEW_WINDOW,
            challengeWindow: CHALLENGE_WINDOW,
            pendingLimit: 0,
          },
        }),
      );
    case "submit":
      return h.call(account(a.who), "submitContribution", {
        datanetId: a.datanet,
        contentHash: contentHash(a.content),
        size: 100,
        metadataUri: "",
      });
    case "withdraw":
      return h.call(account(a.who), "withdrawContribution", { contributionId: a.contribution });
    case "accept":
      return h.call(account(a.who), "acceptContribution", {
        contributionId: a.contribution,
        quality: a.quality,
      });
    case "reject":
      return h.call(account(a.who), "rejectContribution", {
        contributionId: a.contribution,
        reason: "no",
      });
    case "challenge":
      return h.call(account(a.who), "challenge", {
        contributionId: a.contribution,
        evidenceUri: "ipfs://e",
      });
    case "resolve":
      return h.call(account(a.who), "resolveChallenge", {
        contributionId: a.contribution,
        uphold: a.uphold,
      });
    case "forceResolve":
      return h.call("root", "forceResolveChallenge", {
        contributionId: a.contribution,
        uphold: a.uphold,
      });
    case "bond":
      return h.call(account(a.who), "bondCurator", {
        datanetId: a.datanet,
        amount: u128ToBytes(a.amount),
      });
    case "unbond":
      return h.call(account(a.who), "unbondCurator", { datanetId: a.datanet });
    case "topUp":
      return h.call(account(a.who), "topUpDeposit", {
        datanetId: a.datanet,
        amount: u128ToBytes(a.amount),
      });
    case "appeal":
      return h.call(account(a.who), "appealRejection", {
        contributionId: a.contribution,
        evidenceUri: "ipfs://appeal",
      });
    case "resolveAppeal":
      return h.call(account(a.who), "resolveAppeal", {
        contributionId: a.contribution,
        overturn: a.overturn,
        quality: a.quality,
      });
    case "forceResolveAppeal":
      return h.call("root", "forceResolveAppeal", {
        contributionId: a.contribution,
        overturn: a.overturn,
        quality: a.quality,
      });
    case "publish":
      return h.call(account(a.who), "publishVersion", { datanetId: a.datanet, metadataUri: "" });
    case "close":
      return h.call(account(a.who), "closeDatanet", { datanetId: a.datanet });
    case "transfer":
      return h.call(account(a.who), "transferOwnership", {
        datanetId: a.datanet,
        newOwner: account(a.to),
      });
    case "advance":
      h.advance(a.blocks);
      return "ok";
  }
}

function compare(h: RegistryHarness, m: Model, issuance: bigint, step: string): void {
  const everyone = [...ACTORS, TREASURY_ACCOUNT];
  everyone.forEach((account, i) => {
    assert.equal(h.free(account), m.free[i], `${step}: free of ${i}`);
    assert.equal(h.reserved(account), m.reserved[i], `${step}: reserved of ${i}`);
  });
  assert.equal(totalIssuance(h.overlay), issuance, `${step}: total issuance`);
  m.contributions.forEach((c, id) => {
    const actual = getContribution(h.overlay, id)!;
    assert.equal(actual.status, STATUS_CODE[c.status], `${step}: status of #${id}`);
    assert.equal(actual.bond, c.bond, `${step}: bond of #${id}`);
    assert.equal(actual.reviewFee, c.fee, `${step}: review fee of #${id}`);
    assert.equal(actual.decisionOpen, c.open, `${step}: decision of #${id} open`);
    assert.equal(actual.appealed, c.appealed, `${step}: #${id} appealed`);
  });
  for (const [key, r] of m.curators) {
    const [d, a] = key.split("/").map(Number) as [number, number];
    const actual = getCurator(h.overlay, d, ACTORS[a]!);
    assert.deepEqual(
      [actual.bond, actual.open, actual.decisions, actual.stood, actual.overturned],
      [r.bond, r.open, r.decisions, r.stood, r.overturned],
      `${step}: curator ${a} of datanet ${d}`,
    );
    assert.deepEqual([actual.slashed, actual.earned], [r.slashed, r.earned]);
  }
  assert.equal(getContribution(h.overlay, m.contributions.length), undefined);
  m.datanets.forEach((d, id) => {
    const actual = getDatanet(h.overlay, id)!;
    assert.equal(actual.closed, d.closed, `${step}: datanet #${id} closed`);
    assert.equal(actual.deposit, d.deposit, `${step}: datanet #${id} deposit`);
    assert.equal(actual.versionCount, d.versions.length);
    d.versions.forEach((v, i) => {
      const actualVersion = getVersion(h.overlay, id, i + 1)!;
      assert.deepEqual([actualVersion.count, actualVersion.totalWeight], [v.count, v.totalWeight]);
    });
  });
  ACTORS.forEach((account, i) => {
    assert.equal(
      getReputation(h.overlay, account).score,
      m.score[i],
      `${step}: reputation of ${i}`,
    );
  });
}

describe("registry against a plain model", () => {
  const spec = devSpecWith((config) => {
    config.params = { ...config.params, registryChallengeExpiry: String(CHALLENGE_EXPIRY) };
  });

  it("random call sequences agree on outcomes, balances, reserves, issuance and statuses", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.array(action, { minLength: 20, maxLength: 100, size: "max" }), (actions) => {
        const h = new RegistryHarness(spec);
        const everyone = [...ACTORS, TREASURY_ACCOUNT];
        const m = new Model(
          everyone.map((a) => h.free(a)),
          everyone.map((a) => h.reserved(a)),
        );
        const issuance = totalIssuance(h.overlay);
        // Every sequence starts with one datanet of each curation kind, the curated one's curator
        // bonded, so calls have targets.
        const prelude: Action[] = [
          { kind: "create", who: 0, curated: false },
          { kind: "create", who: 1, curated: true },
          { kind: "bond", who: CURATOR, datanet: 1, amount: CURATOR_BOND },
        ];
        [...prelude, ...actions].forEach((raw, i) => {
          const a = m.concrete(raw);
          seen.add(`${a.kind}:${m.peek(a)}`);
          const step = `step ${i} ${JSON.stringify(a, (_, v) => (typeof v === "bigint" ? `${v}n` : v))}`;
          const expected = m.apply(a);
          assert.equal(run(h, a), expected, step);
          compare(h, m, issuance, step);
        });
      }),
      // Seeded: the coverage check below must not depend on the luck of a run.
      { numRuns: 150, seed: 42 },
    );
    // The sequences reached every success path, not only the refusals.
    for (const kind of [
      "create",
      "submit",
      "withdraw",
      "accept",
      "reject",
      "challenge",
      "resolve",
      "forceResolve",
      "bond",
      "unbond",
      "topUp",
      "appeal",
      "resolveAppeal",
      "forceResolveAppeal",
      "publish",
      "close",
      "transfer",
    ]) {
      assert.ok(seen.has(`${kind}:ok`), `no successful ${kind}: ${[...seen].sort().join(" ")}`);
    }
  });
});
