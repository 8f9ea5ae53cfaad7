// Property test: random sequences of registry calls and block advances, run against the pallet
// and against a plain model of the rules written here from the documentation (not from the
// pallet's code). After every step the outcome, every balance and reserve, total issuance,
// statuses, bonds and reputations must agree.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { u128ToBytes } from "../../../primitives/amount.ts";
import { DEV_ACCOUNT_NAMES } from "../../../primitives/dev-accounts.ts";
import { totalIssuance } from "../../../runtime/pallets/balances.ts";
import {
  getContribution,
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

type Action =
  | { kind: "create"; who: number; curated: boolean }
  | { kind: "submit"; who: number; datanet: number; content: number }
  | { kind: "withdraw"; who: number; contribution: number }
  | { kind: "accept"; who: number; contribution: number; quality: number }
  | { kind: "reject"; who: number; contribution: number }
  | { kind: "challenge"; who: number; contribution: number }
  | { kind: "resolve"; who: number; contribution: number; uphold: boolean }
  | { kind: "forceResolve"; contribution: number; uphold: boolean }
  | { kind: "publish"; who: number; datanet: number }
  | { kind: "close"; who: number; datanet: number }
  | { kind: "transfer"; who: number; datanet: number; to: number }
  | { kind: "advance"; blocks: number };

const who = fc.nat(ACTORS.length - 1);
/** -1 stands for the contribution's curator (its contributor for withdraw), resolved on the model. */
const reviewer = fc.oneof({ arbitrary: fc.constant(-1), weight: 3 }, { arbitrary: who, weight: 1 });
const contributionId = fc.nat(14);
/** -1 stands for the lowest contribution with an open challenge. */
const challenged = fc.oneof(
  { arbitrary: fc.constant(-1), weight: 3 },
  { arbitrary: contributionId, weight: 1 },
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
      contribution: contributionId,
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
  status: MStatus;
  weight: number;
  /** Pending: the review deadline; accepted: the end of the challenge window. */
  deadline: number;
}
interface MChallenge {
  challenger: number;
  bond: bigint;
  expiresAt: number;
}

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
  pending(d: number, a: number) {
    return this.contributions.filter(
      (c) => c.datanet === d && c.contributor === a && c.status === "pending",
    ).length;
  }

  releaseIfDue(id: number) {
    const c = this.contributions[id]!;
    if (
      c.status === "accepted" &&
      c.bond > 0n &&
      this.now >= c.deadline &&
      !this.challenges.has(id)
    ) {
      this.release(c.contributor, c.bond);
      c.bond = 0n;
    }
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
      c.status = "slashed";
      this.bump(c.contributor, -300);
      return;
    }
    const slashed = outcome === "dismissed" ? ch.bond / 2n : 0n;
    this.pay(ch.challenger, TREASURY, slashed);
    this.release(ch.challenger, ch.bond - slashed);
    this.releaseIfDue(id);
  }

  /** The action with a reviewer of -1 replaced by the contribution's curator. */
  concrete(raw: Action): Action {
    let a = raw;
    if ((a.kind === "resolve" || a.kind === "forceResolve") && a.contribution === -1) {
      const open = [...this.challenges.keys()].sort((x, y) => x - y);
      a = { ...a, contribution: open[0] ?? 0 };
    }
    if (a.kind === "withdraw" && a.who === -1) {
      return { ...a, who: this.contributions[a.contribution]?.contributor ?? 0 };
    }
    if ((a.kind === "accept" || a.kind === "reject" || a.kind === "resolve") && a.who === -1) {
      const c = this.contributions[a.contribution];
      const d = c && this.datanets[c.datanet]!;
      return { ...a, who: d ? (d.curated ? CURATOR : d.owner) : 0 };
    }
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
        this.hold(a.who, 10n * UNIT);
        this.datanets.push({
          owner: a.who,
          curated: a.curated,
          deposit: 10n * UNIT,
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
        this.hold(a.who, bond);
        this.contributions.push({
          datanet: a.datanet,
          contributor: a.who,
          content: a.content,
          bond,
          status: "pending",
          weight: 0,
          deadline: this.now + REVIEW_WINDOW,
        });
        return "ok";
      }
      case "withdraw": {
        const c = contribution(a.contribution);
        if (!c) return E("UnknownContribution");
        if (c.contributor !== a.who) return E("NotContributor");
        if (c.status !== "pending") return E("WrongStatus");
        this.release(c.contributor, c.bond);
        c.bond = 0n;
        c.status = "withdrawn";
        return "ok";
      }
      case "accept":
      case "reject": {
        const c = contribution(a.contribution);
        if (!c) return E("UnknownContribution");
        if (c.status !== "pending") return E("WrongStatus");
        if (!this.isCurator(datanet(c.datanet)!, a.who)) return E("NotCurator");
        if (a.kind === "accept") {
          c.status = "accepted";
          c.weight = a.quality;
          c.deadline = this.now + CHALLENGE_WINDOW;
          this.bump(c.contributor, 2 * a.quality);
        } else {
          const slashed = c.bond / 2n;
          const toCurator = slashed / 5n;
          this.pay(c.contributor, a.who, toCurator);
          this.pay(c.contributor, TREASURY, slashed - toCurator);
          this.release(c.contributor, c.bond - slashed);
          c.bond = 0n;
          c.status = "rejected";
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
        this.hold(a.who, 5n * UNIT);
        this.challenges.set(a.contribution, {
          challenger: a.who,
          bond: 5n * UNIT,
          expiresAt: this.now + CHALLENGE_EXPIRY,
        });
        return "ok";
      }
      case "resolve":
      case "forceResolve": {
        if (!this.challenges.has(a.contribution)) return E("NoChallenge");
        if (a.kind === "resolve") {
          const d = datanet(contribution(a.contribution)!.datanet)!;
          if (!this.isCurator(d, a.who) && d.owner !== a.who) return E("NotCurator");
        }
        this.closeChallenge(a.contribution, a.uphold ? "upheld" : "dismissed");
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
        this.release(a.who, d.deposit);
        this.hold(a.to, d.deposit);
        d.owner = a.to;
        return "ok";
      }
      case "advance":
        for (let i = 0; i < a.blocks; i++) {
          this.now++;
          this.contributions.forEach((c, id) => {
            if (c.status === "pending" && c.deadline === this.now) {
              this.release(c.contributor, c.bond);
              c.bond = 0n;
              c.status = "withdrawn";
            } else if (c.status === "accepted" && c.deadline === this.now) {
              this.releaseIfDue(id);
            }
          });
          for (const [id, ch] of [...this.challenges.entries()].sort(([x], [y]) => x - y)) {
            if (ch.expiresAt === this.now) this.closeChallenge(id, "expired");
          }
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
  });
  assert.equal(getContribution(h.overlay, m.contributions.length), undefined);
  m.datanets.forEach((d, id) => {
    const actual = getDatanet(h.overlay, id)!;
    assert.equal(actual.closed, d.closed, `${step}: datanet #${id} closed`);
    assert.equal(actual.deposit, d.deposit);
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
        // Every sequence starts with one datanet of each curation kind, so calls have targets.
        const prelude: Action[] = [
          { kind: "create", who: 0, curated: false },
          { kind: "create", who: 1, curated: true },
        ];
        [...prelude, ...actions].forEach((raw, i) => {
          const a = m.concrete(raw);
          seen.add(`${a.kind}:${m.peek(a)}`);
          const step = `step ${i} ${JSON.stringify(a)}`;
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
      "publish",
      "close",
      "transfer",
    ]) {
      assert.ok(seen.has(`${kind}:ok`), `no successful ${kind}: ${[...seen].sort().join(" ")}`);
    }
  });
});
