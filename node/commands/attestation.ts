// `lineage tx attestation <call>` and `lineage query attestation <what>`: bonding as an attestor,
// committing a window's query log, committing and revealing a report by hand, disputing, and
// claiming a contribution's measured amount with its Merkle proof; queries print the
// attestation_* RPC records as JSON. `lineage attest` (attest.ts) runs the whole attestor loop.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { u128ToBytes } from "../../primitives/amount.ts";
import { fromHex } from "../../primitives/bytes.ts";
import { ss58Encode } from "../../primitives/ss58.ts";
import type { RpcClient } from "../../rpc/client.ts";
import { reportProof } from "../../runtime/measurement/index.ts";
import { ATTESTATION_ERRORS, commitmentOf } from "../../runtime/pallets/attestation/index.ts";
import { ATTRIBUTION_ERRORS } from "../../runtime/pallets/attribution/index.ts";
import {
  fetchUri,
  MAX_INDEX_BYTES,
  parseQueryLog,
  parseReport,
  queryCount,
  queryLogRoot,
  type ReportDocument,
} from "../attest/files.ts";
import {
  accountFromText,
  cliValue,
  connect,
  errorExplainer,
  invalidFlag,
  linFlag,
  notFound,
  type QueryOptions,
  queryGroup,
  signerFromText,
  txGroup,
  uintFlag,
} from "./wallet.ts";

type Print = (text: string) => void;

const U32_MAX = 0xffff_ffff;
const explainers = [
  errorExplainer("Attestation", ATTESTATION_ERRORS),
  errorExplainer("Attribution", ATTRIBUTION_ERRORS),
];
const explain = (code: string) => explainers.map((e) => e(code)).find((why) => why !== undefined);

const windowRef = (o: { model: string; window: string }) => ({
  modelId: uintFlag("--model", o.model),
  window: uintFlag("--window", o.window, U32_MAX),
});

/** A report file given on the command line, parsed and checked (its leaves rebuild its root). */
async function reportFile(uri: string): Promise<ReportDocument> {
  const bytes = await fetchUri(
    /^[a-z][a-z0-9+.-]*:/i.test(uri) ? uri : resolve(uri),
    MAX_INDEX_BYTES,
  );
  return cliValue("--report", () => parseReport(bytes));
}

function salt(text: string): Uint8Array {
  return cliValue("--salt", () => fromHex(text, 32));
}

export function attestationTxCommand(print: Print): Command {
  const { group, call } = txGroup(
    "attestation",
    "Attestation calls: bond as an attestor, commit a query log, commit and reveal reports, dispute, claim measured amounts.",
    print,
    explain,
  );
  const window = (c: Command) =>
    c.requiredOption("--model <id>", "model id").requiredOption("--window <n>", "window number");
  const round = (c: Command) =>
    window(c)
      .requiredOption("--round <n>", "the window's current round")
      .requiredOption("--report <file|uri>", "the report (as lineage attest writes it)")
      .requiredOption("--salt <hex>", "32 bytes of 0x hex, the same for the commit and the reveal");

  call<{ amount: string }>(
    "bond",
    "Bond LIN as an attestor (or add to the bond); it must reach attestationMinBond to be selected.",
    (c) => c.requiredOption("--amount <LIN>", "amount to bond"),
    (o) => ({
      call: "Attestation.bond",
      args: { amount: u128ToBytes(linFlag("--amount", o.amount)) },
    }),
  );
  call(
    "unbond",
    "Stop being selected; withdraw after attestationUnbondingBlocks once its windows are settled.",
    (c) => c,
    () => ({
      call: "Attestation.unbond",
      args: {},
    }),
  );
  call<{ account?: string }>(
    "withdraw",
    "Return an unbonded attestor's bond once its delay passed and its windows settled: the sender's, or --account's (which frees its slot).",
    (c) =>
      c.option("--account <account>", "the attestor to return the bond of (default: the sender)"),
    (o) => ({
      call: "Attestation.withdraw",
      args: {
        account:
          o.account === undefined
            ? new Uint8Array()
            : cliValue("--account", () => accountFromText(o.account!)),
      },
    }),
  );
  call<{ model: string; window: string; log: string; logUri?: string }>(
    "submit-query-log",
    "The model's owner (or server) commits an open window's query log (as lineage attest query-log writes it): its root and query count.",
    (c) =>
      window(c)
        .requiredOption("--log <file>", "the query-log listing")
        .option(
          "--log-uri <uri>",
          "where attestors fetch the listing (default: its absolute path)",
        ),
    (o) => {
      const path = resolve(o.log);
      const log = cliValue("--log", () => parseQueryLog(readFileSync(path)));
      const ref = windowRef(o);
      if (log.model !== ref.modelId || log.window !== ref.window)
        invalidFlag("--log", `the listing is for window ${log.window} of model #${log.model}`);
      return {
        call: "Attestation.submitQueryLog",
        args: {
          ...ref,
          root: queryLogRoot(log.files),
          count: queryCount(log.files),
          uri: o.logUri ?? path,
        },
      };
    },
  );
  call<{ model: string; window: string; round: string; report: string; salt: string }>(
    "commit",
    "Commit a report by hand (lineage attest does this itself): blake2b-256 of its root, total and leaf count with the salt.",
    round,
    async (o) => {
      const r = await reportFile(o.report);
      const ref = windowRef(o);
      const roundNo = uintFlag("--round", o.round, U32_MAX);
      const commitment = commitmentOf({
        ...ref,
        round: roundNo,
        attestor: signerFromText(o.from).publicKey,
        root: fromHex(r.root),
        total: r.total,
        leafCount: r.leaves.length,
        salt: salt(o.salt),
      });
      return { call: "Attestation.commitReport", args: { ...ref, round: roundNo, commitment } };
    },
  );
  call<{
    model: string;
    window: string;
    round: string;
    report: string;
    salt: string;
    reportUri?: string;
  }>(
    "reveal",
    "Reveal a committed report by hand, with the same salt.",
    (c) =>
      round(c).option("--report-uri <uri>", "where others fetch the report (default: --report)"),
    async (o) => {
      const r = await reportFile(o.report);
      return {
        call: "Attestation.revealReport",
        args: {
          ...windowRef(o),
          round: uintFlag("--round", o.round, U32_MAX),
          root: fromHex(r.root),
          total: u128ToBytes(r.total),
          leafCount: r.leaves.length,
          salt: salt(o.salt),
          reportUri: o.reportUri ?? o.report,
        },
      };
    },
  );
  call<{ model: string; window: string }>(
    "dispute",
    "Dispute a window's quorum root, reserving attestationDisputeBond: a larger round decides again.",
    window,
    (o) => ({ call: "Attestation.dispute", args: windowRef(o) }),
  );
  call<{ model: string; window: string; contribution: string; report?: string }>(
    "claim",
    "Claim a contribution's measured amount of a settled window, with its Merkle proof (from attestation_measured, or from --report).",
    (c) =>
      window(c)
        .requiredOption("--contribution <id>", "contribution id (the sender's own)")
        .option(
          "--report <file|uri>",
          "build the proof from this report instead of asking the node",
        ),
    async (o) => {
      const ref = windowRef(o);
      const contributionId = uintFlag("--contribution", o.contribution);
      const leaf = o.report
        ? proofFromReport(await reportFile(o.report), contributionId)
        : await proofFromNode(o.rpc, ref.modelId, ref.window, contributionId);
      return { call: "Attribution.claimMeasured", args: { ...ref, contributionId, ...leaf } };
    },
  );
  return group;
}

function proofFromReport(r: ReportDocument, contributionId: number) {
  const index = r.leaves.findIndex((l) => l.contribution === contributionId);
  if (index < 0) notFound(`contribution #${contributionId} in the report`);
  const entries = r.leaves.map((l) => ({ contributionId: l.contribution, amount: l.amount }));
  const proof = reportProof(entries, index);
  return {
    amount: u128ToBytes(r.leaves[index]!.amount),
    proofIndex: proof.index,
    proofCount: proof.count,
    siblings: proof.siblings,
  };
}

async function proofFromNode(rpc: string, model: number, window: number, contribution: number) {
  const client: RpcClient = await connect(rpc);
  try {
    const leaf = await client.attestation.measured(model, window, contribution);
    if (!leaf) notFound(`a settled report for window ${window} of model #${model}`);
    return {
      amount: u128ToBytes(BigInt(leaf.amount)),
      proofIndex: leaf.proof.index,
      proofCount: leaf.proof.count,
      siblings: leaf.proof.siblings.map((s) => fromHex(s)),
    };
  } finally {
    await client.close();
  }
}

export function attestationQueryCommand(print: Print): Command {
  const { group, query, run, at } = queryGroup(
    "attestation",
    "Read attestors, measured windows, methods and measured amounts over RPC; prints JSON.",
    print,
  );
  type At = QueryOptions;
  query("methods", "The attribution methods governance registered.").action(async (o: At) => {
    await run(o.rpc, (c) => c.attestation.methods(at(o)));
  });
  query("attestor", "One attestor: bond, eligibility and record.")
    .argument("<account>", "SS58 address, 0x account id or dev account name")
    .action(async (who: string, o: At) => {
      const account = ss58Encode(cliValue("<account>", () => accountFromText(who)));
      await run(
        o.rpc,
        async (c) =>
          (await c.attestation.attestor(account, at(o))) ?? notFound(`attestor ${account}`),
      );
    });
  query("attestors", "A page of attestors, by account.")
    .option("--after <account>", "start after this account")
    .option("--count <n>", "page size (1..100)", "100")
    .action(async (o: At & { after?: string; count: string }) => {
      const after =
        o.after === undefined
          ? undefined
          : ss58Encode(cliValue("--after", () => accountFromText(o.after!)));
      const count = uintFlag("--count", o.count);
      await run(o.rpc, (c) => c.attestation.attestors(after, count, at(o)));
    });
  query(
    "window",
    "A measured model's window: its pot, phase, query log, rounds, reveals and settlement.",
  )
    .argument("<model>", "model id")
    .argument("<window>", "window number")
    .action(async (m: string, w: string, o: At) => {
      const model = uintFlag("<model>", m);
      const window = uintFlag("<window>", w, U32_MAX);
      await run(
        o.rpc,
        async (c) =>
          (await c.attestation.window(model, window, at(o))) ??
          notFound(`window ${window} of model #${model}`),
      );
    });
  query("windows", "A measured model's windows that hold funds.")
    .argument("<model>", "model id")
    .option("--after <n>", "start after this window")
    .option("--count <n>", "page size (1..100)", "100")
    .action(async (m: string, o: At & { after?: string; count: string }) => {
      const model = uintFlag("<model>", m);
      const after = o.after === undefined ? undefined : uintFlag("--after", o.after, U32_MAX);
      await run(o.rpc, (c) =>
        c.attestation.windows(model, after, uintFlag("--count", o.count), at(o)),
      );
    });
  query("contributions", "The contributions a measured model's reports cover.")
    .argument("<model>", "model id")
    .option("--start <id>", "first contribution id", "0")
    .option("--count <n>", "page size (1..100)", "100")
    .action(async (m: string, o: At & { start: string; count: string }) => {
      const model = uintFlag("<model>", m);
      await run(o.rpc, (c) =>
        c.attestation.contributions(
          model,
          uintFlag("--start", o.start),
          uintFlag("--count", o.count),
          at(o),
        ),
      );
    });
  query(
    "measured",
    "A contribution's measured amount in a settled window, with its proof (the node fetches the report).",
  )
    .argument("<model>", "model id")
    .argument("<window>", "window number")
    .argument("<contribution>", "contribution id")
    .action(async (m: string, w: string, id: string, o: At) => {
      const model = uintFlag("<model>", m);
      const window = uintFlag("<window>", w, U32_MAX);
      const contribution = uintFlag("<contribution>", id);
      await run(
        o.rpc,
        async (c) =>
          (await c.attestation.measured(model, window, contribution, at(o))) ??
          notFound(`a settled report for window ${window} of model #${model}`),
      );
    });
  return group;
}
