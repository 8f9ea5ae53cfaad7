#!/usr/bin/env node
// `lineage`: runs a node, or one of the subcommands (build-spec, purge-chain, key, devnet,
// simulate, attest, tx, query).
// A user mistake prints one line, `Error: <message> [CODE]`, and exits 1; never a stack trace.
import { Command, CommanderError } from "commander";
import { LineageError } from "../primitives/errors.ts";
import { runHelpText } from "./cli-args.ts";
import { attestCommand } from "./commands/attest.ts";
import { attestationQueryCommand, attestationTxCommand } from "./commands/attestation.ts";
import { attributionQueryCommand, attributionTxCommand } from "./commands/attribution.ts";
import { buildSpecCommand, purgeChainCommand } from "./commands/chain.ts";
import { devnetCommand } from "./commands/devnet.ts";
import { emissionQueryCommand } from "./commands/emission.ts";
import {
  councilQueryCommand,
  councilTxCommand,
  paramsQueryCommand,
  paramsTxCommand,
} from "./commands/governance.ts";
import { keyCommand } from "./commands/key.ts";
import { registryQueryCommand, registryTxCommand } from "./commands/registry.ts";
import { runNode } from "./commands/run.ts";
import { simulateCommand } from "./commands/simulate.ts";
import { queryCommand, txCommand } from "./commands/wallet.ts";

const print = (text: string) => {
  process.stdout.write(text);
};

function subcommands(): Command {
  const program = new Command("lineage")
    .exitOverride()
    .configureOutput({ writeOut: print, writeErr: () => {} })
    .addCommand(buildSpecCommand(print))
    .addCommand(purgeChainCommand(print))
    .addCommand(keyCommand(print))
    .addCommand(devnetCommand(print))
    .addCommand(simulateCommand(print))
    .addCommand(attestCommand(print))
    .addCommand(
      txCommand(print)
        .addCommand(registryTxCommand(print))
        .addCommand(attributionTxCommand(print))
        .addCommand(attestationTxCommand(print))
        .addCommand(paramsTxCommand(print))
        .addCommand(councilTxCommand(print)),
    )
    .addCommand(
      queryCommand(print)
        .addCommand(registryQueryCommand(print))
        .addCommand(attributionQueryCommand(print))
        .addCommand(attestationQueryCommand(print))
        .addCommand(paramsQueryCommand(print))
        .addCommand(councilQueryCommand(print))
        .addCommand(emissionQueryCommand(print)),
    );
  // Every level (`tx registry submit` is three deep) reports mistakes instead of exiting.
  const quiet = (command: Command) => {
    for (const sub of command.commands) {
      sub.exitOverride().configureOutput({ writeOut: print, writeErr: () => {} });
      quiet(sub);
    }
  };
  quiet(program);
  return program;
}

const SUBCOMMANDS = new Set([
  "build-spec",
  "purge-chain",
  "key",
  "devnet",
  "simulate",
  "attest",
  "tx",
  "query",
]);

function helpText(): string {
  const names = subcommands()
    .commands.map((c) => `  ${c.name().padEnd(14)}${c.description()}`)
    .join("\n");
  return `${runHelpText()}\nSubcommands (lineage <subcommand> --help):\n${names}\n`;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    if (argv[0] !== undefined && SUBCOMMANDS.has(argv[0])) {
      await subcommands().parseAsync([...argv], { from: "user" });
      return 0;
    }
    if (argv.includes("--help") || argv.includes("-h")) {
      print(helpText());
      return 0;
    }
    return await runNode(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander's help-as-error: a group command (`lineage key`) was given no subcommand.
      if (error.code === "commander.help" && error.exitCode !== 0) {
        process.stderr.write(
          `Error: missing subcommand; see lineage ${argv[0]} --help [INVALID_CLI]\n`,
        );
        return 1;
      }
      if (error.code === "commander.helpDisplayed" || error.code === "commander.help") return 0;
      if (error.code === "commander.version") return 0;
      process.stderr.write(`Error: ${error.message.replace(/^error: /, "")} [INVALID_CLI]\n`);
      return 1;
    }
    if (error instanceof LineageError) {
      process.stderr.write(`Error: ${error.message} [${error.code}]\n`);
      return 1;
    }
    const errno = error as NodeJS.ErrnoException & { address?: string; port?: number };
    if (errno.code === "EADDRINUSE") {
      process.stderr.write(
        `Error: ${errno.address ?? "the address"}:${errno.port ?? "?"} is already in use; is another node running? Choose another --rpc-port, --prometheus-port or --port [ADDRESS_IN_USE]\n`,
      );
      return 1;
    }
    process.stderr.write(`Error: ${(error as Error).message ?? String(error)} [INTERNAL]\n`);
    if (process.env.LINEAGE_DEBUG) console.error(error);
    return 1;
  }
}

if (import.meta.main) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
