// `lineage simulate`: runs a scenario's agents against the real runtime in memory (no network),
// epoch by epoch, and writes a CSV per run and an HTML report; `--sweep` compares parameter values.
import { resolve } from "node:path";
import { Command } from "commander";
import { formatLin } from "../../primitives/amount.ts";
import { LineageError } from "../../primitives/errors.ts";
import { type SimResult, simulate } from "../../sim/engine.ts";
import { exactRow, missingRecordsNote, writeOutputs } from "../../sim/output.ts";
import { loadScenario, scaleScenario } from "../../sim/scenario.ts";
import { parseSweep } from "../../sim/sweep.ts";

interface SimulateOptions {
  scenario: string;
  epochs: string;
  seed: string;
  out?: string;
  sweep?: string;
  scale: string;
}

function intFlag(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) {
    throw new LineageError(
      "INVALID_CLI",
      `--${name}: expected an integer ${min}..${max}, got ${text}`,
    );
  }
  return n;
}

function summary(label: string, r: SimResult): string {
  let volume = 0n;
  let emitted = 0n;
  let recorded = 0;
  for (const f of r.epochs) {
    const row = exactRow(f);
    volume += row.volume as bigint;
    if (typeof row.emitted === "bigint") {
      emitted += row.emitted;
      recorded++;
    }
  }
  const last = r.epochs.at(-1);
  const failed = Object.values(r.failures).reduce((a, b) => a + b, 0);
  const emission = recorded > 0 ? `emitted ${formatLin(emitted)}` : "no health records";
  const missing = missingRecordsNote(r);
  return `${label}: ${r.epochs.length} epochs in ${r.blocks} blocks; volume ${formatLin(volume)}, ${emission}; honest contributors active ${last?.honestActive ?? 0}, spammers active ${last?.spammersActive ?? 0}; ${failed} failed calls${missing ? `; ${missing}` : ""}\n`;
}

export function simulateCommand(print: (text: string) => void): Command {
  return new Command("simulate")
    .description(
      "Run a scenario's agent populations against the real runtime in memory; write CSV and an HTML report.",
    )
    .requiredOption("--scenario <file>", "scenario file (YAML or JSON; see docs/simulator.md)")
    .option("--epochs <n>", "epochs of agent activity", "20")
    .option("--seed <n>", "seed of the agents' random choices (same seed, same run)", "1")
    .option("--out <dir>", "output directory (default: ./sim-out/<scenario name>)")
    .option("--sweep <param=a,b,c>", "run once per value of a runtime parameter and compare")
    .option("--scale <factor>", "multiply every population count (at least 1 each)", "1")
    .action(async (o: SimulateOptions) => {
      const epochs = intFlag("epochs", o.epochs, 1, 10_000);
      const seed = intFlag("seed", o.seed, 0, 0xffff_ffff);
      const scale = Number(o.scale);
      if (!Number.isFinite(scale) || scale <= 0 || scale > 100) {
        throw new LineageError(
          "INVALID_CLI",
          `--scale: expected a number in (0, 100], got ${o.scale}`,
        );
      }
      const scenario = scaleScenario(loadScenario(o.scenario), scale);
      const sweep = o.sweep === undefined ? undefined : parseSweep(o.sweep, scenario);
      const outDir = resolve(o.out ?? `sim-out/${scenario.name}`);
      const runs = sweep
        ? sweep.values.map((value) => ({
            label: `${sweep.param}=${value}`,
            result: simulate(scenario, { epochs, seed, params: { [sweep.param]: value } }),
          }))
        : [{ label: scenario.name, result: simulate(scenario, { epochs, seed }) }];
      for (const run of runs) print(summary(run.label, run.result));
      const written = await writeOutputs(outDir, runs, {
        epochs,
        seed,
        ...(sweep ? { sweep: { param: sweep.param, values: sweep.values.map(String) } } : {}),
      });
      for (const path of written.csv) print(`CSV: ${path}\n`);
      print(`Report: ${written.report}\n`);
    });
}
