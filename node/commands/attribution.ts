// `lineage tx attribution <call>` and `lineage query attribution <what>`: models, licences,
// inference payments and claims from the command line. Transactions go through the wallet's
// `runTx` (local signing, submit-and-watch, the block and the extrinsic's events); queries print
// the attribution_* RPC records as JSON.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { u128ToBytes } from "../../primitives/amount.ts";
import { fromHex } from "../../primitives/bytes.ts";
import { blake2b256 } from "../../primitives/hash.ts";
import { ss58Encode } from "../../primitives/ss58.ts";
import { knnShapleyParams } from "../../runtime/measurement/index.ts";
import { ATTRIBUTION_ERRORS, PPM } from "../../runtime/pallets/attribution/index.ts";
import { encodeCall } from "../../runtime/signing.ts";
import { parseInputsIndex } from "../attest/files.ts";
import {
  accountFromText,
  cliValue,
  errorExplainer,
  invalidFlag,
  linFlag,
  notFound,
  type QueryOptions,
  queryGroup,
  txGroup,
  uintFlag,
} from "./wallet.ts";

type Print = (text: string) => void;

const U32_MAX = 0xffff_ffff;

// ---- flag parsers: each failure is one INVALID_CLI line naming the flag ----

function positive(flag: string, text: string, max?: number): number {
  const value = uintFlag(flag, text, max);
  if (value === 0) invalidFlag(flag, "must be positive");
  return value;
}

/** `--entry <datanet>:<version>:<ppm>`, repeated; the weights must sum to 10^6. */
function manifest(list: string[] | undefined) {
  if (!list || list.length === 0)
    invalidFlag("--entry", "a model lists at least one datanet version");
  const entries = list.map((text) => {
    const parts = text.split(":");
    if (parts.length !== 3)
      invalidFlag("--entry", `expected <datanet>:<version>:<weight ppm>, got ${text}`);
    return {
      datanetId: uintFlag("--entry", parts[0]!),
      version: positive("--entry", parts[1]!, U32_MAX),
      weightPpm: positive("--entry", parts[2]!, U32_MAX),
    };
  });
  const sum = entries.reduce((a, e) => a + BigInt(e.weightPpm), 0n);
  if (sum !== PPM) invalidFlag("--entry", `the weights must sum to ${PPM} ppm, got ${sum}`);
  return entries;
}

/** Error codes of failed attribution calls, explained from the pallet's messages. */
const explain = errorExplainer("Attribution", ATTRIBUTION_ERRORS);

export function attributionTxCommand(print: Print): Command {
  const { group, call } = txGroup(
    "attribution",
    "Attribution calls: models, licences, inference payments, claims.",
    print,
    explain,
  );
  const model = (c: Command) => c.requiredOption("--model <id>", "model id");
  const version = (c: Command) =>
    c
      .requiredOption("--datanet <id>", "datanet id")
      .requiredOption("--version <n>", "version number (from 1)");

  call<{
    metadataUri: string;
    entry?: string[];
    price: string;
    dataSharePpm: string;
    measured?: string;
    inputs?: string;
    inputsUri?: string;
    server?: string;
  }>(
    "register-model",
    "Register a model trained on datanet versions; paid datanets' licence fees are paid now. With --measured, its data share is paid by attestors' reports per window.",
    (c) =>
      c
        .option("--metadata-uri <uri>", "metadata URI", "")
        .option(
          "--entry <datanet:version:ppm...>",
          "training manifest entries; the weights sum to 1000000",
        )
        .requiredOption("--price <LIN>", "price per inference unit")
        .requiredOption("--data-share-ppm <ppm>", "share for the data after the protocol fee")
        .option(
          "--measured <method:version>",
          "measure the model with a registered method, e.g. knn-shapley:1",
        )
        .option(
          "--inputs <file>",
          "with --measured: the inputs index (lineage attest inputs writes it)",
        )
        .option(
          "--inputs-uri <uri>",
          "where attestors fetch the index (default: its absolute path)",
        )
        .option("--server <account>", "an account besides the owner that may commit query logs"),
    (o) => {
      const price = linFlag("--price", o.price);
      if (price === 0n) invalidFlag("--price", "must be positive");
      const dataSharePpm = uintFlag("--data-share-ppm", o.dataSharePpm, U32_MAX);
      if (BigInt(dataSharePpm) > PPM) invalidFlag("--data-share-ppm", `at most ${PPM}`);
      return {
        call: "Attribution.registerModel",
        args: {
          metadataUri: o.metadataUri,
          manifest: manifest(o.entry),
          pricePerUnit: u128ToBytes(price),
          dataSharePpm,
          measurement: measurement(o),
        },
      };
    },
  );
  call<{
    name: string;
    version: string;
    k: string;
    duplicateDistance: string;
    rawFeatures?: boolean;
    params?: string;
    spec: string;
  }>(
    "register-method",
    "Register an attribution method version through Sudo.sudo (dev chains; elsewhere propose it to the council). knn-shapley takes --k, --duplicate-distance and --raw-features; other methods --params.",
    (c) =>
      c
        .requiredOption("--name <name>", "method name, e.g. knn-shapley")
        .requiredOption("--version <n>", "method version")
        .option("--k <n>", "knn-shapley: neighbours", "5")
        .option(
          "--duplicate-distance <n>",
          "knn-shapley: the Euclidean distance within which points are duplicates",
          "192",
        )
        .option(
          "--raw-features",
          "knn-shapley: the features are the contributions' registered content",
        )
        .option("--params <hex>", "the parameter bytes, for a method this CLI does not know")
        .requiredOption(
          "--spec <file>",
          "the method's specification; the chain keeps its blake2b-256",
        ),
    (o) => {
      const version = uintFlag("--version", o.version, U32_MAX);
      const params =
        o.params !== undefined
          ? cliValue("--params", () => fromHex(o.params!))
          : o.name === "knn-shapley"
            ? cliValue("--k", () =>
                knnShapleyParams({
                  k: uintFlag("--k", o.k, U32_MAX),
                  duplicateDistance: uintFlag("--duplicate-distance", o.duplicateDistance),
                  rawFeatures: o.rawFeatures === true,
                }),
              )
            : invalidFlag("--params", `give the parameter bytes of ${o.name}`);
      const specHash = blake2b256(cliValue("--spec", () => readFileSync(o.spec)));
      const call = encodeCall("Attribution.registerMethod", {
        name: o.name,
        version,
        params,
        specHash,
      });
      return { call: "Sudo.sudo", args: { call } };
    },
  );
  call<{ model: string; metadataUri: string; price: string }>(
    "update-model",
    "The owner sets a model's price and metadata URI.",
    (c) =>
      model(c)
        .option("--metadata-uri <uri>", "metadata URI", "")
        .requiredOption("--price <LIN>", "price per inference unit"),
    (o) => {
      const price = linFlag("--price", o.price);
      if (price === 0n) invalidFlag("--price", "must be positive");
      return {
        call: "Attribution.updateModel",
        args: {
          modelId: uintFlag("--model", o.model),
          metadataUri: o.metadataUri,
          pricePerUnit: u128ToBytes(price),
        },
      };
    },
  );
  call<{ model: string }>(
    "retire-model",
    "The owner retires a model: no more inference payments.",
    model,
    (o) => ({ call: "Attribution.retireModel", args: { modelId: uintFlag("--model", o.model) } }),
  );
  call<{ datanet: string; version: string }>(
    "purchase-licence",
    "Buy a licence for a datanet version; the fee goes to its owner and contributors.",
    version,
    (o) => ({
      call: "Attribution.purchaseLicence",
      args: {
        datanetId: uintFlag("--datanet", o.datanet),
        version: positive("--version", o.version, U32_MAX),
      },
    }),
  );
  call<{ model: string; units: string; maxTotal: string }>(
    "pay-inference",
    "Pay for inference units of a model, failing if the price exceeds --max-total (see `query attribution quote`).",
    (c) =>
      model(c)
        .requiredOption("--units <n>", "inference units")
        .requiredOption("--max-total <LIN>", "the most to pay"),
    (o) => ({
      call: "Attribution.payInference",
      args: {
        modelId: uintFlag("--model", o.model),
        units: positive("--units", o.units),
        maxTotal: u128ToBytes(linFlag("--max-total", o.maxTotal)),
      },
    }),
  );
  call<{ datanet: string; version: string; contribution?: string[] }>(
    "claim",
    "Claim what the sender's contributions in a datanet version are owed.",
    (c) => version(c).option("--contribution <id...>", "contribution ids (the sender's own)"),
    (o) => {
      if (!o.contribution || o.contribution.length === 0)
        invalidFlag("--contribution", "give at least one contribution id");
      return {
        call: "Attribution.claim",
        args: {
          datanetId: uintFlag("--datanet", o.datanet),
          version: positive("--version", o.version, U32_MAX),
          contributionIds: o.contribution.map((id) => uintFlag("--contribution", id)),
        },
      };
    },
  );
  call<{ datanet: string; version: string; contribution: string }>(
    "note-slash",
    "Note a slashed contribution in a version's pool: it stops earning, the rest get its share.",
    (c) => version(c).requiredOption("--contribution <id>", "the slashed contribution"),
    (o) => ({
      call: "Attribution.noteSlash",
      args: {
        datanetId: uintFlag("--datanet", o.datanet),
        version: positive("--version", o.version, U32_MAX),
        contributionId: uintFlag("--contribution", o.contribution),
      },
    }),
  );
  return group;
}

/** The measurement of `register-model --measured`: the method and the hash of the inputs index. */
function measurement(o: {
  measured?: string;
  inputs?: string;
  inputsUri?: string;
  server?: string;
}) {
  if (o.measured === undefined) {
    if (o.inputs !== undefined || o.inputsUri !== undefined || o.server !== undefined)
      invalidFlag("--measured", "--inputs, --inputs-uri and --server need --measured");
    return null;
  }
  const [methodName, version, ...rest] = o.measured.split(":");
  if (!methodName || version === undefined || rest.length > 0)
    invalidFlag("--measured", `expected <method>:<version>, e.g. knn-shapley:1, got ${o.measured}`);
  if (o.inputs === undefined)
    invalidFlag("--inputs", "a measured model commits to its inputs index");
  const path = resolve(o.inputs);
  const bytes = cliValue("--inputs", () => readFileSync(path));
  cliValue("--inputs", () => parseInputsIndex(bytes));
  return {
    methodName,
    methodVersion: uintFlag("--measured", version, U32_MAX),
    inputsHash: blake2b256(bytes),
    inputsUri: o.inputsUri ?? path,
    server:
      o.server === undefined
        ? new Uint8Array()
        : cliValue("--server", () => accountFromText(o.server!)),
  };
}

// ---- queries ----

export function attributionQueryCommand(print: Print): Command {
  const { group, query, run, at } = queryGroup(
    "attribution",
    "Read models, pools, claimable rewards and quotes over RPC; prints JSON.",
    print,
  );
  type At = QueryOptions;

  query("model", "One model.")
    .argument("<id>", "model id")
    .action(async (id: string, o: At) => {
      const n = uintFlag("<id>", id);
      await run(
        o.rpc,
        async (c) => (await c.attribution.model(n, at(o))) ?? notFound(`model #${n}`),
      );
    });
  query("models", "A page of models, by id.")
    .option("--start <id>", "first id", "0")
    .option("--count <n>", "page size (1..100)", "100")
    .action(async (o: At & { start: string; count: string }) => {
      const start = uintFlag("--start", o.start);
      const count = uintFlag("--count", o.count);
      await run(o.rpc, (c) => c.attribution.models(start, count, at(o)));
    });
  query(
    "claimable",
    "What is claimable: by an account's contributions (<account>), or one contribution (--datanet, --version, --contribution).",
  )
    .argument("[account]", "SS58 address, 0x account id or dev account name")
    .option("--datanet <id>", "datanet id (with --version and --contribution)")
    .option("--version <n>", "version number")
    .option("--contribution <id>", "contribution id")
    .option("--start <id>", "first contribution id (by account)", "0")
    .option("--count <n>", "contributions per page (1..100, by account)", "100")
    .action(
      async (
        who: string | undefined,
        o: At & {
          datanet?: string;
          version?: string;
          contribution?: string;
          start: string;
          count: string;
        },
      ) => {
        if (who !== undefined) {
          if (o.contribution !== undefined)
            invalidFlag("claimable", "give an account or --contribution, not both");
          const contributor = ss58Encode(cliValue("<account>", () => accountFromText(who)));
          const start = uintFlag("--start", o.start);
          const count = uintFlag("--count", o.count);
          await run(o.rpc, (c) => c.attribution.claimable({ contributor, start, count }, at(o)));
          return;
        }
        if (o.datanet === undefined || o.version === undefined || o.contribution === undefined)
          invalidFlag("claimable", "give an account, or --datanet, --version and --contribution");
        const contribution = {
          datanet: uintFlag("--datanet", o.datanet),
          version: positive("--version", o.version, U32_MAX),
          id: uintFlag("--contribution", o.contribution),
        };
        await run(o.rpc, (c) => c.attribution.claimable({ contribution }, at(o)));
      },
    );
  query("pool", "A datanet version's reward pool: deposited, claimed, balance, live weight.")
    .argument("<datanet>", "datanet id")
    .argument("<version>", "version number")
    .action(async (d: string, v: string, o: At) => {
      const datanet = uintFlag("<datanet>", d);
      const version = positive("<version>", v, U32_MAX);
      await run(
        o.rpc,
        async (c) =>
          (await c.attribution.pool(datanet, version, at(o))) ??
          notFound(`a pool for version ${version} of datanet #${datanet}`),
      );
    });
  query("quote", "The price of N inference units of a model and how it splits.")
    .argument("<model>", "model id")
    .argument("<units>", "inference units")
    .action(async (m: string, u: string, o: At) => {
      const model = uintFlag("<model>", m);
      const units = positive("<units>", u);
      await run(
        o.rpc,
        async (c) =>
          (await c.attribution.quote(model, units, at(o))) ?? notFound(`model #${model}`),
      );
    });
  return group;
}
