// `--sweep param=a,b,c`: the same scenario and seed run once per value of one parameter.
import { isParamName } from "../runtime/pallets/params.ts";
import {
  MIN_EPOCH_LENGTH,
  paramOverrides,
  paramProblem,
  type Scenario,
  SimulatorError,
} from "./scenario.ts";

export interface Sweep {
  param: string;
  values: bigint[];
}

function invalid(message: string): SimulatorError {
  return new SimulatorError("SWEEP_INVALID", `--sweep: ${message}`);
}

/**
 * Parses `name=v1,v2,…` (integers in the parameter's unit, at least two distinct values) and checks
 * each value as the scenario's own parameters are checked: against the parameter's bounds and the
 * scenario's other parameters, as genesis would, and against what the scenario's agents need (a
 * model owners' data share below a swept attributionMinDataSharePpm would make every model
 * registration fail, so that sweep is refused before anything runs).
 */
export function parseSweep(text: string, scenario: Scenario): Sweep {
  const match = /^([A-Za-z][A-Za-z0-9]*)=(.+)$/.exec(text.trim());
  if (!match) throw invalid(`expected param=value1,value2,… got ${JSON.stringify(text)}`);
  const param = match[1]!;
  if (!isParamName(param)) throw invalid(`unknown parameter "${param}"`);
  const parts = match[2]!.split(",").map((p) => p.trim());
  const values = parts.map((p) => {
    if (!/^\d+$/.test(p)) throw invalid(`${param}: "${p}" is not a non-negative integer`);
    return BigInt(p);
  });
  if (values.length < 2) throw invalid("give at least two values to compare");
  if (new Set(values).size !== values.length) throw invalid(`${param}: a value appears twice`);
  for (const value of values) {
    if (param === "epochLength" && value < BigInt(MIN_EPOCH_LENGTH))
      throw invalid(
        `epochLength ${value} is too short: the agents' phases need ${MIN_EPOCH_LENGTH} blocks`,
      );
    const problem = paramProblem(scenario, { ...paramOverrides(scenario), [param]: value });
    if (problem?.path === "params") throw invalid(problem.message);
    if (problem)
      throw invalid(
        `${param}=${value} does not fit the scenario: ${problem.path}: ${problem.message}`,
      );
  }
  return { param, values };
}
