// `lineage tx params set` (sudo, dev chains), `lineage tx council <call>` (proposals, votes and
// membership) and `lineage query params` / `lineage query council`: governance of the runtime
// parameters from the command line. Transactions go through the wallet's `runTx`; queries print
// the params_* and council_* RPC answers as JSON.
import { Command } from "commander";
import { U128_MAX, u128ToBytes } from "../../primitives/amount.ts";
import { LineageError } from "../../primitives/errors.ts";
import type { Hex } from "../../rpc/node-api.ts";
import { council } from "../../runtime/pallets/council.ts";
import { isParamName, params } from "../../runtime/pallets/params.ts";
import { sudo } from "../../runtime/pallets/sudo.ts";
import { encodeCall } from "../../runtime/signing.ts";
import {
  accountFromText,
  addQueryOptions,
  addTxOptions,
  cliValue,
  errorExplainer,
  invalidFlag,
  printQuery,
  type QueryOptions,
  runTx,
  type TxFlags,
  txGroup,
  uintFlag,
} from "./wallet.ts";

type Print = (text: string) => void;

/** A failed governance call is a Council, Params or Sudo error (the proposed call's, for propose). */
const explainers = [
  errorExplainer("Council", council.errors),
  errorExplainer("Params", params.errors),
  errorExplainer("Sudo", sudo.errors),
];
const explain = (code: string) => explainers.map((e) => e(code)).find((why) => why !== undefined);

// ---- flag parsers: each failure is one INVALID_CLI line naming the flag ----

function paramName(text: string): string {
  if (!isParamName(text))
    invalidFlag("--name", `no parameter ${text}; see lineage query params for the list`);
  return text;
}

function paramValue(text: string): bigint {
  if (!/^\d+$/.test(text.trim()))
    invalidFlag(
      "--value",
      `expected a non-negative integer (in the parameter's unit), got ${text}`,
    );
  const value = BigInt(text.trim());
  if (value > U128_MAX) invalidFlag("--value", "exceeds u128");
  return value;
}

function setParamCall(o: { name: string; value: string }) {
  return encodeCall("Params.setParam", {
    name: paramName(o.name),
    value: u128ToBytes(paramValue(o.value)),
  });
}

function memberList(text: string): Uint8Array[] {
  const items = text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
  if (items.length === 0) invalidFlag("--members", "expected a comma-separated list of accounts");
  return items.map((item) => cliValue("--members", () => accountFromText(item)));
}

export function paramsTxCommand(print: Print): Command {
  const group = new Command("params").description(
    "Set runtime parameters directly with the sudo key (dev chains); elsewhere use tx council.",
  );
  addTxOptions(
    group
      .command("set")
      .description(
        "Sets a parameter at once through Sudo.sudo(Params.setParam); --from must hold the sudo key.",
      )
      .requiredOption("--name <param>", "parameter name (lineage query params lists them)")
      .requiredOption("--value <n>", "new value, an integer in the parameter's unit"),
  ).action(async (o: TxFlags & { name: string; value: string }) => {
    const result = await runTx(
      print,
      o,
      () => ({ call: "Sudo.sudo", args: { call: setParamCall(o) } }),
      { failOnError: true, explain },
    );
    // Sudo itself succeeds when the inner call fails; the Sudid event tells.
    const sudid = result.events.find((e) => e.pallet === "Sudo" && e.name === "Sudid");
    if (sudid && sudid.data.ok !== true) {
      const code = String(sudid.data.error);
      const why = explain(code);
      throw new LineageError(
        "TX_FAILED",
        `sudo dispatched Params.setParam but it failed: ${code}${why ? ` (${why})` : ""}`,
      );
    }
  });
  return group;
}

export function councilTxCommand(print: Print): Command {
  const { group, call } = txGroup(
    "council",
    "Council calls: propose a parameter change or a new membership, approve or cancel a proposal.",
    print,
    explain,
  );
  const id = (c: Command) => c.requiredOption("--id <n>", "proposal id");

  call<{ name: string; value: string }>(
    "propose-param",
    "A member proposes a parameter change; it is checked now (name, bounds) and counts as the proposer's approval.",
    (c) =>
      c
        .requiredOption("--name <param>", "parameter name (lineage query params lists them)")
        .requiredOption("--value <n>", "new value, an integer in the parameter's unit"),
    (o) => ({ call: "Council.propose", args: { call: setParamCall(o) } }),
  );
  call<{ id: string }>(
    "approve",
    "A member approves a pending proposal; at the threshold it is scheduled for enactment after councilEnactmentDelay blocks.",
    id,
    (o) => ({ call: "Council.approve", args: { id: uintFlag("--id", o.id) } }),
  );
  call<{ id: string }>(
    "cancel",
    "The proposer withdraws its pending proposal, or a member votes to cancel one; threshold votes cancel it.",
    id,
    (o) => ({ call: "Council.cancel", args: { id: uintFlag("--id", o.id) } }),
  );
  call<{ members: string; threshold: string }>(
    "set-members",
    "A member proposes a new membership and threshold (Council.setMembers, enacted like any proposal).",
    (c) =>
      c
        .requiredOption(
          "--members <accounts>",
          "comma-separated SS58 addresses, 0x account ids or dev account names",
        )
        .requiredOption("--threshold <m>", "approvals a proposal needs (1 ≤ m ≤ members)"),
    (o) => ({
      call: "Council.propose",
      args: {
        call: encodeCall("Council.setMembers", {
          members: memberList(o.members),
          threshold: uintFlag("--threshold", o.threshold, 0xffff_ffff),
        }),
      },
    }),
  );
  return group;
}

export function paramsQueryCommand(print: Print): Command {
  return addQueryOptions(
    new Command("params")
      .description("Every runtime parameter: value in force, default, bounds, unit and meaning.")
      .option("--name <param>", "only this parameter"),
  ).action(async (o: QueryOptions & { name?: string }) => {
    const name = o.name === undefined ? undefined : paramName(o.name);
    const at = o.at as Hex | undefined;
    await printQuery(print, o.rpc, async (c) => {
      const list = await c.params.list(at);
      return name === undefined ? list : list.find((p) => p.name === name);
    });
  });
}

export function councilQueryCommand(print: Print): Command {
  return addQueryOptions(
    new Command("council").description(
      "The council's members and threshold, and its open proposals (params_pending).",
    ),
  ).action(async (o: QueryOptions) => {
    await printQuery(print, o.rpc, async (c) => {
      // Both reads at one block, so that members and proposals agree.
      const at = (o.at as Hex | undefined) ?? (await c.chain.getBlockHash()) ?? undefined;
      return { ...(await c.council.members(at)), proposals: await c.params.pending(at) };
    });
  });
}
