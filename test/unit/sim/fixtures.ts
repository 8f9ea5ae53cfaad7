// Running the shipped scenarios in their shortened form for the tests.
import { join } from "node:path";
import { type SimResult, simulate } from "../../../sim/engine.ts";
import { exactRow } from "../../../sim/output.ts";
import { loadScenario, scaleScenario } from "../../../sim/scenario.ts";

export const SCENARIOS = join(import.meta.dirname, "../../../sim/scenarios");

export function runShipped(
  name: string,
  options: {
    epochs: number;
    scale: number;
    seed?: number;
    params?: Record<string, bigint>;
    runOutLimit?: number;
  },
): SimResult {
  const scenario = scaleScenario(loadScenario(join(SCENARIOS, `${name}.yaml`)), options.scale);
  return simulate(scenario, {
    epochs: options.epochs,
    seed: options.seed ?? 7,
    ...(options.params ? { params: options.params } : {}),
    ...(options.runOutLimit ? { runOutLimit: options.runOutLimit } : {}),
  });
}

export const rowsOf = (r: SimResult) => r.epochs.map(exactRow);
