// `lineage build-spec` and `lineage purge-chain`: the chain spec as JSON (human or raw storage
// form), and deleting a chain's database.
import { existsSync, rmSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import { Command } from "commander";
import { LineageError } from "../../primitives/errors.ts";
import { toRawChainSpec } from "../../runtime/chain-spec.ts";
import { genesisStorage } from "../../runtime/genesis.ts";
import { loadChainSpec } from "../chain-spec-file.ts";
import { chainPaths, defaultBasePath } from "../config.ts";
import { voterRecordPath } from "../voter-record.ts";

export function buildSpecCommand(print: (text: string) => void): Command {
  return new Command("build-spec")
    .description("Print the chain spec as JSON (every parameter with its value).")
    .option("--chain <id|path>", "built-in chain id (dev, local) or chain spec JSON file", "local")
    .option("--dev", "the development chain (same as --chain dev)")
    .option("--raw", "genesis as raw storage key/value pairs instead of the readable config")
    .action((options: { chain: string; dev?: boolean; raw?: boolean }) => {
      const spec = loadChainSpec(options.dev ? "dev" : options.chain);
      const out = options.raw ? toRawChainSpec(spec, genesisStorage(spec)) : spec;
      print(`${JSON.stringify(out, null, 2)}\n`);
    });
}

export function purgeChainCommand(
  print: (text: string) => void,
  confirm: (question: string) => Promise<boolean> = askYesNo,
): Command {
  return new Command("purge-chain")
    .description(
      "Delete the chain's database and finality voter record (the keystore and node key are kept).",
    )
    .option("--chain <id|path>", "built-in chain id (dev, local) or chain spec JSON file", "local")
    .option("--dev", "the development chain (same as --chain dev)")
    .option("-d, --base-path <path>", "base path of the node (default: ~/.local/share/lineage)")
    .option("-y", "do not ask for confirmation")
    .action(async (options: { chain: string; dev?: boolean; basePath?: string; y?: boolean }) => {
      const spec = loadChainSpec(options.dev ? "dev" : options.chain);
      const paths = chainPaths(options.basePath ?? defaultBasePath(), spec.id);
      const database = paths.database;
      if (!existsSync(database)) {
        print(`${database} did not exist.\n`);
        return;
      }
      if (!options.y && !(await confirm(`Are you sure to remove ${database}? [y/N]: `))) {
        print("Aborted\n");
        return;
      }
      rmSync(database, { recursive: true, force: true });
      // The voter's rounds belong to the chain just deleted.
      rmSync(voterRecordPath(paths.root), { force: true });
      print(`${database} removed.\n`);
    });
}

async function askYesNo(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) {
    throw new LineageError(
      "CONFIRMATION_NEEDED",
      "not a terminal: pass -y to purge without asking",
    );
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}
