// `lineage attest`: runs the reference attestor against a node until Ctrl-C, and the two helpers a
// measured model's owner needs: `lineage attest inputs` writes the inputs index a model commits to
// at registration, `lineage attest query-log` the listing of a window's query files whose root it
// commits after the window. Both hash the files they list, so what the chain holds is exactly them.

import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { Command } from "commander";
import { toHex } from "../../primitives/bytes.ts";
import { blake2b256 } from "../../primitives/hash.ts";
import type { Hex } from "../../rpc/node-api.ts";
import { decodeVectors } from "../../runtime/measurement/index.ts";
import { Attestor } from "../attest/attestor.ts";
import {
  encodeInputsIndex,
  encodeQueryLog,
  fetchUri,
  MAX_DATA_BYTES,
  type QueryFile,
} from "../attest/files.ts";
import { cliValue, DEFAULT_RPC_URL, invalidFlag, signerFromText, uintFlag } from "./wallet.ts";

type Print = (text: string) => void;

/** A local path as the absolute path attestors will read; URLs as given. */
function locate(text: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(text) ? text : resolve(text);
}

export function attestCommand(print: Print): Command {
  const attest = new Command("attest")
    .description(
      "Run the reference attestor: measure the windows this key is selected for, commit, reveal (Ctrl-C stops it).",
    )
    .option(
      "--key <suri>",
      "the attestor's key (required): a dev account (alice…ferdie), //Alice or a 0x seed",
    )
    .option("--rpc <url>", "node WebSocket RPC endpoint", DEFAULT_RPC_URL)
    .option(
      "--report-dir <dir>",
      "where reports are published, each when it is revealed",
      "./attest/reports",
    )
    .option(
      "--state-dir <dir>",
      "where the salts and unrevealed reports are kept (do not serve it)",
      "./attest/state",
    )
    .option(
      "--report-url <url>",
      "the base URL --report-dir is served at (default: reveal file paths)",
    )
    .option(
      "--fault <kind>",
      "fault injection for protocol tests: wrong-root reveals a deliberately wrong root",
    )
    .action(
      async (o: {
        key?: string;
        rpc: string;
        reportDir: string;
        stateDir: string;
        reportUrl?: string;
        fault?: string;
      }) => {
        const key = o.key ?? invalidFlag("--key", "the attestor's key is required");
        if (o.fault !== undefined && o.fault !== "wrong-root")
          invalidFlag("--fault", `the only fault is wrong-root, got ${o.fault}`);
        const signer = cliValue("--key", () => signerFromText(key));
        const attestor = await Attestor.start({
          rpc: o.rpc,
          signer,
          reportDir: resolve(o.reportDir),
          stateDir: resolve(o.stateDir),
          reportUrl: o.reportUrl,
          fault: o.fault as "wrong-root" | undefined,
          log: (line) => print(`${line}\n`),
        });
        await new Promise<void>((done) => {
          process.once("SIGINT", done);
          process.once("SIGTERM", done);
        });
        await attestor.stop();
      },
    );

  attest
    .command("inputs")
    .description(
      "Write a measured model's inputs index: each contribution's feature file with its hash (register the model with --inputs <this file>).",
    )
    .requiredOption("--out <file>", "where to write the index")
    .argument(
      "<contribution=file...>",
      "contribution id and its feature file (a path or URL), ascending ids",
    )
    .action(async (pairs: string[], o: { out: string }) => {
      const files = [];
      for (const pair of pairs) {
        const at = pair.indexOf("=");
        if (at < 0) invalidFlag("<contribution=file>", `expected <id>=<file>, got ${pair}`);
        const contribution = uintFlag("<contribution=file>", pair.slice(0, at));
        const uri = locate(pair.slice(at + 1));
        const bytes = await fetchUri(uri, MAX_DATA_BYTES);
        files.push({ contribution, uri, hash: toHex(blake2b256(bytes)) as Hex });
      }
      for (let i = 1; i < files.length; i++)
        if (files[i]!.contribution <= files[i - 1]!.contribution)
          invalidFlag("<contribution=file>", "list contributions in ascending id order, each once");
      writeFileSync(o.out, encodeInputsIndex(files));
      print(`Inputs index: ${resolve(o.out)} (${files.length} contributions)\n`);
      print(`Hash: ${toHex(blake2b256(encodeInputsIndex(files)))}\n`);
    });

  attest
    .command("query-log")
    .description(
      "Write a window's query-log listing: each labelled-vector query file with its hash and query count (commit it with tx attestation submit-query-log).",
    )
    .requiredOption("--model <id>", "model id")
    .requiredOption("--window <n>", "window number")
    .requiredOption("--out <file>", "where to write the listing")
    .argument("<file...>", "query files (paths or URLs), in log order")
    .action(async (paths: string[], o: { model: string; window: string; out: string }) => {
      const files: QueryFile[] = [];
      for (const path of paths) {
        const uri = locate(path);
        const bytes = await fetchUri(uri, MAX_DATA_BYTES);
        const queries = cliValue(path, () => decodeVectors(bytes, path).labels.length);
        files.push({ uri, hash: toHex(blake2b256(bytes)) as Hex, queries });
      }
      const model = uintFlag("--model", o.model);
      const window = uintFlag("--window", o.window, 0xffff_ffff);
      writeFileSync(o.out, encodeQueryLog({ model, window, files }));
      print(
        `Query log: ${resolve(o.out)} (${files.length} files, ${files.reduce((n, f) => n + f.queries, 0)} queries)\n`,
      );
    });
  return attest;
}
