// Scenario files: what a simulation runs (epoch length, parameter overrides, datanets and agent
// populations), in YAML or JSON, validated with errors that name the offending field.
import { readFileSync } from "node:fs";
import * as v from "valibot";
import { parse as parseYaml } from "yaml";
import { formatLin, parseLin, UNIT } from "../primitives/amount.ts";
import { LineageError } from "../primitives/errors.ts";
import { ChainSpecError } from "../runtime/errors.ts";
import { PARAMS, validateGenesisParams } from "../runtime/pallets/params.ts";

/** Scenario and simulation mistakes: SCENARIO_NOT_FOUND, SCENARIO_INVALID, SWEEP_INVALID. */
export class SimulatorError extends LineageError {}

/** Blocks an epoch needs for the agents' phases (sim/agents.ts PHASE) and a quiet tail. */
export const MIN_EPOCH_LENGTH = 8;

const count = (max: number) => v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(max));
const fraction = v.pipe(v.number(), v.minValue(0), v.maxValue(1));
const lin = v.pipe(
  v.union([v.pipe(v.number(), v.minValue(0)), v.string()], "an amount in LIN"),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const text = typeof dataset.value === "number" ? toPlainDecimal(dataset.value) : dataset.value;
    try {
      return parseLin(text);
    } catch (error) {
      addIssue({ message: (error as Error).message });
      return NEVER;
    }
  }),
);

function toPlainDecimal(n: number): string {
  // Numbers from YAML/JSON ("0.5") to a LIN string without exponent notation; 12 decimals at most.
  return n.toFixed(12).replace(/\.?0+$/, "");
}

const Quality = v.strictObject({
  /** Mean true quality on the registry's scale (1..registryMaxQuality, 100 by default). */
  mean: v.pipe(v.number(), v.minValue(1), v.maxValue(1_000_000)),
  /** Qualities are uniform in [mean − spread, mean + spread], clamped to the scale. */
  spread: v.optional(v.pipe(v.number(), v.minValue(0)), 0),
});

const Demand = v.union([
  v.strictObject({
    /** Inference units wanted in epoch 0. */
    units: v.pipe(v.number(), v.minValue(0)),
    /** Growth per epoch: units × (1 + growth)^epoch. */
    growth: v.optional(v.pipe(v.number(), v.minValue(-1), v.maxValue(10)), 0),
  }),
  v.strictObject({
    /** Units per epoch; the last value repeats. */
    perEpoch: v.pipe(v.array(v.pipe(v.number(), v.minValue(0))), v.minLength(1)),
  }),
]);

const Population = {
  honestContributors: v.strictObject({
    count: count(10_000),
    quality: Quality,
    costPerContribution: lin,
    contributionsPerEpoch: v.optional(count(1_000), 1),
    /**
     * Epochs a contributor keeps going, from its first submission, before it judges its earnings
     * against its cost.
     */
    graceEpochs: v.optional(count(1_000), 3),
    endowment: v.optional(lin),
  }),
  spammers: v.strictObject({
    count: count(10_000),
    startEpoch: v.optional(count(1_000_000), 0),
    /** Bonds a spammer is willing to have locked up at once (LIN). */
    bondBudget: lin,
    submissionsPerEpoch: v.optional(count(1_000), 5),
    /** Epochs a spammer tries before judging its return. */
    trialEpochs: v.optional(count(1_000), 2),
    endowment: v.optional(lin),
  }),
  curators: v.strictObject({
    count: count(1_000),
    /** Chance that a review gets the verdict wrong (accepts junk or rejects good data). */
    errorRate: v.optional(fraction, 0),
    endowment: v.optional(lin),
  }),
  challengers: v.strictObject({
    count: count(1_000),
    /** Accepted contributions of true quality below this are challenged. */
    qualityBelow: v.optional(v.pipe(v.number(), v.minValue(0)), 20),
    maxPerEpoch: v.optional(count(1_000), 3),
    endowment: v.optional(lin),
  }),
  consumers: v.strictObject({
    count: count(10_000),
    demand: Demand,
    /** Most a consumer spends per epoch (LIN). */
    budget: lin,
    /** Highest price per unit a consumer pays (LIN); dearer models are not used. */
    maxPrice: lin,
    /** How demand falls with price: units × max(0, 1 − sensitivity × price / maxPrice). */
    priceSensitivity: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(100)), 0),
    endowment: v.optional(lin),
  }),
  licenceBuyers: v.strictObject({
    count: count(100),
    startEpoch: v.optional(count(1_000_000), 0),
    /** Inference units paid per epoch on models trained on the licensed data. */
    unitsPerEpoch: v.optional(v.pipe(v.number(), v.minValue(0)), 0),
    endowment: v.optional(lin),
  }),
  modelOwners: v.strictObject({
    count: count(1_000),
    /** Price per inference unit (LIN). */
    price: lin,
    /** Share of a payment (after the protocol fee) that goes to the data, 0..1. */
    dataShare: fraction,
    /** A new model on the latest versions every this many epochs (the old one retired). */
    retrainEvery: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 1),
    endowment: v.optional(lin),
  }),
  washTraders: v.strictObject({
    count: count(100),
    /** Units each wash trader pays its own model per epoch. */
    unitsPerEpoch: v.pipe(v.number(), v.minValue(0)),
    price: v.optional(lin),
    startEpoch: v.optional(count(1_000_000), 0),
    /**
     * Pay from a second account instead of the one that owns the datanet and the model: not
     * self-dealing to the chain, an ordinary consumer, bounded by k · volume.
     */
    viaSecondAccount: v.optional(v.boolean(), false),
    /**
     * Second accounts each wash trader pays through (viaSecondAccount), sharing its units: to the
     * chain, that many unrelated consumers.
     */
    payers: v.optional(v.pipe(count(1_000), v.minValue(1)), 1),
    /** Its model's data share, 0..1: all of it (the attacker's best choice) unless told. */
    dataShare: v.optional(fraction, 1),
    endowment: v.optional(lin),
  }),
  colluders: v.strictObject({
    /** Pairs of a curator listed on the datanets and a partner whose junk it accepts. */
    count: count(100),
    /** Junk contributions each partner submits per epoch, to one datanet (pair index order). */
    junkPerEpoch: v.optional(count(100), 2),
    /** The junk's true quality (below 30: a correct curator rejects it). */
    junkQuality: v.optional(v.pipe(v.number(), v.minValue(1), v.maxValue(29)), 5),
    startEpoch: v.optional(count(1_000_000), 0),
    endowment: v.optional(lin),
  }),
  manifestGamers: v.strictObject({
    /**
     * Model owners who own a datanet of their own data and register models over it and the main
     * datanets, putting on their own as much weight as the skew bound allows; consumers use their
     * models like any other.
     */
    count: count(100),
    price: lin,
    dataShare: fraction,
    /** Contributions each submits to its own datanet per epoch (it accepts them itself). */
    contributionsPerEpoch: v.optional(count(1_000), 2),
    endowment: v.optional(lin),
  }),
  copiers: v.strictObject({
    count: count(1_000),
    /** Near copies of other contributors' accepted data each copier submits per epoch. */
    copiesPerEpoch: v.optional(count(1_000), 1),
    startEpoch: v.optional(count(1_000_000), 0),
    endowment: v.optional(lin),
  }),
  attestors: v.strictObject({
    /** Attestors who run the method and reveal its report. */
    honest: v.optional(count(4_096), 0),
    /** Attestors who never run the method: they guess, or copy an earlier round's root. */
    lazy: v.optional(count(4_096), 0),
    /** Attestors who reveal one wrong root together, paying the copiers' contributions. */
    colluding: v.optional(count(4_096), 0),
    /** The bond each attestor posts (LIN). */
    bond: lin,
    endowment: v.optional(lin),
  }),
  validators: v.strictObject({ count: v.pipe(count(100), v.minValue(1)) }),
};

/** Measured attribution: the model owners' models are measured by knn-shapley v1 on synthetic data. */
const Measured = v.strictObject({
  /** Coordinates of each data point (u8). */
  dimension: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1_024)), 64),
  /** Classes the points (and their labels) belong to. */
  classes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(2), v.maxValue(256)), 4),
  /** Data points in each contribution. */
  pointsPerContribution: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1_000)),
    8,
  ),
  /** Each coordinate is its class centroid's ± up to this much (uniform). */
  spread: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(127)), 48),
});

const Scenario = v.strictObject({
  name: v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "lower-case letters, digits, '-'")),
  description: v.optional(v.string(), ""),
  /** Blocks per epoch (the `epochLength` parameter); the agents' phases need at least 8. */
  epochLength: v.pipe(v.number(), v.integer(), v.minValue(MIN_EPOCH_LENGTH), v.maxValue(10_000)),
  /** Parameter overrides, validated by the runtime's own bounds. */
  params: v.optional(
    v.record(
      v.string(),
      v.union(
        [v.pipe(v.number(), v.integer(), v.minValue(0)), v.pipe(v.string(), v.regex(/^\d+$/))],
        "a non-negative integer",
      ),
    ),
    {},
  ),
  datanets: v.strictObject({
    count: v.pipe(count(100), v.minValue(1)),
    modality: v.optional(
      v.picklist(["text", "image", "audio", "video", "tabular", "other"]),
      "text",
    ),
    licence: v.optional(v.picklist(["open", "paid"]), "open"),
    /** Licence fee of a paid datanet (LIN). */
    licenceFee: v.optional(lin),
    minBond: v.optional(lin),
    /** Epochs between version publications. */
    publishEvery: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 1),
  }),
  populations: v.strictObject({
    honestContributors: v.optional(Population.honestContributors),
    spammers: v.optional(Population.spammers),
    curators: v.optional(Population.curators),
    challengers: v.optional(Population.challengers),
    consumers: v.optional(Population.consumers),
    licenceBuyers: v.optional(Population.licenceBuyers),
    modelOwners: v.optional(Population.modelOwners),
    washTraders: v.optional(Population.washTraders),
    copiers: v.optional(Population.copiers),
    colluders: v.optional(Population.colluders),
    manifestGamers: v.optional(Population.manifestGamers),
    attestors: v.optional(Population.attestors),
    validators: v.optional(Population.validators, { count: 1 }),
  }),
  measured: v.optional(Measured),
});

export type Scenario = v.InferOutput<typeof Scenario>;
export type Populations = Scenario["populations"];

type Issue = v.BaseIssue<unknown>;

/**
 * The deepest issue of a union names the field that is actually wrong (as in chain-spec.ts). At
 * equal depth a truly unknown field wins (a misspelt `unit:` says so rather than "units: missing"),
 * and a field that is unknown only to one of a union's shapes loses (`units: "x"` is a wrong
 * number, not an unknown field).
 */
function describeIssue(
  issue: Issue,
  prefix: string[] = [],
): { path: string[]; message: string; rank: number } {
  const items = issue.path ?? [];
  // A union's issues carry paths relative to the union.
  const own = [...prefix, ...items.map((item) => String(item.key))];
  // Valibot takes a list for an object and then misses its fields: say what it is instead.
  const parent = items.at(-1)?.input;
  let best = Array.isArray(parent)
    ? { path: own.slice(0, -1), message: "expected a mapping, got a list", rank: 1 }
    : { path: own, message: readableMessage(issue, own), rank: unknownRank(issue, own) };
  for (const sub of issue.issues ?? []) {
    const inner = describeIssue(sub, own);
    const deeper = inner.path.length > best.path.length;
    if (deeper || (inner.path.length === best.path.length && inner.rank > best.rank)) best = inner;
  }
  return best;
}

/** 2: a field no shape allows there; 0: one some other shape of a union allows; 1: other issues. */
function unknownRank(issue: Issue, path: string[]): number {
  if (issue.expected !== "never") return 1;
  return fieldsAt(path.slice(0, -1)).includes(path.at(-1)!) ? 0 : 2;
}

/**
 * Valibot's object-shape messages in the words of a scenario file: an unknown field (with the
 * fields that are allowed there), a missing one, a value that should be a mapping.
 */
function readableMessage(issue: Issue, path: string[]): string {
  if (issue.type !== "strict_object" && issue.type !== "object") return issue.message;
  if (issue.expected === "never") {
    const field = path.at(-1)!;
    const allowed = fieldsAt(path.slice(0, -1));
    // One of a union's forms allows it: the mapping mixes two forms.
    if (allowed.includes(field))
      return `${field} does not go with the other fields given here (one form or the other)`;
    const known = allowed.length > 0 ? ` (expected one of ${allowed.join(", ")})` : "";
    return `unknown field ${field}${known}`;
  }
  if (issue.expected === "Object") return `expected a mapping, got ${issue.received}`;
  if (issue.received === "undefined") return "missing field";
  return issue.message;
}

type AnySchema = v.GenericSchema & {
  entries?: Record<string, AnySchema>;
  wrapped?: AnySchema;
  options?: AnySchema[];
  value?: AnySchema;
};

/** The object schemas a value at `path` of a scenario may match (a union gives several). */
function objectSchemasAt(path: string[]): AnySchema[] {
  let schemas: AnySchema[] = [Scenario as unknown as AnySchema];
  const unwrap = (list: AnySchema[]): AnySchema[] =>
    list.flatMap((x) => (x.wrapped ? unwrap([x.wrapped]) : x.options ? unwrap(x.options) : [x]));
  for (const key of path) {
    schemas = unwrap(schemas).flatMap((x) => {
      const next = x.entries?.[key] ?? x.value;
      return next ? [next] : [];
    });
  }
  return unwrap(schemas).filter((x) => x.entries !== undefined);
}

/** The fields allowed in the mapping at `path`, in declaration order. */
function fieldsAt(path: string[]): string[] {
  return [...new Set(objectSchemasAt(path).flatMap((x) => Object.keys(x.entries!)))];
}

function invalid(source: string, path: string, message: string): SimulatorError {
  return new SimulatorError("SCENARIO_INVALID", `${source}: ${path}: ${message}`);
}

/** Validates a parsed scenario document; `source` names it in errors (a file name). */
export function parseScenario(doc: unknown, source = "scenario"): Scenario {
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    const got = doc === null ? "nothing" : Array.isArray(doc) ? "a list" : `a ${typeof doc}`;
    throw invalid(
      source,
      "(root)",
      `expected a mapping (name, epochLength, datanets, …), got ${got}`,
    );
  }
  const result = v.safeParse(Scenario, doc);
  if (!result.success) {
    const { path, message } = describeIssue(result.issues[0]!);
    throw invalid(source, path.length > 0 ? path.join(".") : "(root)", message);
  }
  const scenario = result.output;
  const d = scenario.datanets;
  if (d.licence === "paid" && (d.licenceFee ?? 0n) === 0n)
    throw invalid(source, "datanets.licenceFee", "a paid licence needs a fee above 0");
  if (d.licence === "open" && d.licenceFee !== undefined && d.licenceFee > 0n)
    throw invalid(source, "datanets.licenceFee", "only a paid licence has a fee");
  const measuredProblem = measuredShapeProblem(scenario);
  if (measuredProblem) throw invalid(source, measuredProblem.path, measuredProblem.message);
  const problem = paramProblem(scenario, paramOverrides(scenario));
  if (problem) throw invalid(source, problem.path, problem.message);
  return scenario;
}

/** What measured attribution's populations need from the rest of the scenario. */
function measuredShapeProblem(scenario: Scenario): ScenarioProblem | undefined {
  const p = scenario.populations;
  if (scenario.measured && !p.modelOwners)
    return {
      path: "measured",
      message:
        "measured attribution measures the model owners' models: add populations.modelOwners",
    };
  if (!scenario.measured) {
    if (p.copiers)
      return {
        path: "populations.copiers",
        message: "copiers copy measured data: add a measured section",
      };
    if (p.attestors)
      return {
        path: "populations.attestors",
        message: "attestors report on measured models: add a measured section",
      };
  }
  const a = p.attestors;
  if (a && a.colluding > 0 && !p.copiers)
    return {
      path: "populations.attestors.colluding",
      message:
        "colluding attestors reveal a root that pays the copiers' contributions: add populations.copiers",
    };
  const endowment = a?.endowment ?? ATTESTOR_ENDOWMENT;
  if (a && a.bond > endowment)
    return {
      path: "populations.attestors.bond",
      message: `${formatLin(a.bond)} is more than the attestors' endowment ${formatLin(endowment)}`,
    };
  return undefined;
}

/** An attestor's endowment when the scenario gives none (sim/population.ts). */
export const ATTESTOR_ENDOWMENT = 1_000n * UNIT;

/**
 * The attestation phases the simulated attestors and model owners act in: each acts in the block
 * after its phase opens, so every one of them must last at least two blocks.
 */
const MEASURED_PHASES = [
  "attestationQueryLogBlocks",
  "attestationCommitBlocks",
  "attestationRevealBlocks",
  "attestationDisputeBlocks",
] as const;

/** Curators a simulated datanet lists at most (sim/phases.ts): registryMaxCurators' default. */
export const MAX_LISTED_CURATORS = Number(PARAMS.registryMaxCurators.default);

/** What is wrong with a scenario under given parameters: the field and why. */
export interface ScenarioProblem {
  path: string;
  message: string;
}

/**
 * The checks that depend on the chain's parameters, run with `params` (the scenario's overrides,
 * or those with a sweep value merged in): the runtime's own bounds, and what the agents' calls
 * need from them (model owners' data share, the datanets' bond, windows and curators), so that a
 * parameter value that would make those calls fail is refused before anything runs.
 */
export function paramProblem(
  scenario: Scenario,
  params: Record<string, bigint>,
): ScenarioProblem | undefined {
  try {
    validateGenesisParams(params);
  } catch (error) {
    if (!(error instanceof ChainSpecError)) throw error;
    return { path: "params", message: error.message };
  }
  const value = (name: keyof typeof PARAMS) => params[name] ?? PARAMS[name].default;
  const minShare = value("attributionMinDataSharePpm");
  const pops = scenario.populations;
  for (const [name, pop] of [
    ["modelOwners", pops.modelOwners],
    ["washTraders", pops.washTraders],
    ["manifestGamers", pops.manifestGamers],
  ] as const) {
    if (pop && BigInt(Math.round(pop.dataShare * 1_000_000)) < minShare)
      return {
        path: `populations.${name}.dataShare`,
        message: `${pop.dataShare} is below the protocol minimum ${Number(minShare) / 1_000_000} (attributionMinDataSharePpm)`,
      };
  }
  const minBond = value("registryMinBond");
  const d = scenario.datanets;
  if (d.minBond !== undefined && d.minBond < minBond)
    return {
      path: "datanets.minBond",
      message: `${formatLin(d.minBond)} is below the protocol minimum ${formatLin(minBond)} (registryMinBond)`,
    };
  // The datanets' review and challenge windows are two epochs (sim/agents.ts createDatanet).
  const window = 2n * value("epochLength");
  const maxWindow = value("registryMaxWindow");
  if (window > maxWindow)
    return {
      path: "epochLength",
      message: `the datanets' review and challenge windows of two epochs (${window} blocks) exceed registryMaxWindow ${maxWindow}`,
    };
  const curators = Math.min(scenario.populations.curators?.count ?? 0, MAX_LISTED_CURATORS);
  const maxCurators = value("registryMaxCurators");
  if (BigInt(curators) > maxCurators)
    return {
      path: "populations.curators.count",
      message: `${curators} curators are listed on every datanet, more than registryMaxCurators ${maxCurators}`,
    };
  if (scenario.measured) {
    for (const name of MEASURED_PHASES)
      if (value(name) < 2n)
        return {
          path: `params.${name}`,
          message: `${value(name)} block is too short: the simulated agents act in the block after a phase opens, so it needs at least 2`,
        };
  }
  const a = scenario.populations.attestors;
  if (a) {
    const minBond = value("attestationMinBond");
    if (a.bond < minBond)
      return {
        path: "populations.attestors.bond",
        message: `${formatLin(a.bond)} is below the protocol minimum ${formatLin(minBond)} (attestationMinBond)`,
      };
    const total = a.honest + a.lazy + a.colluding;
    const max = value("attestationMaxAttestors");
    if (BigInt(total) > max)
      return {
        path: "populations.attestors",
        message: `${total} attestors, more than attestationMaxAttestors ${max}`,
      };
  }
  return undefined;
}

/** The scenario's parameter overrides as the chain spec takes them. */
export function paramOverrides(scenario: Scenario): Record<string, bigint> {
  const out: Record<string, bigint> = { epochLength: BigInt(scenario.epochLength) };
  for (const [name, value] of Object.entries(scenario.params)) out[name] = BigInt(value);
  return out;
}

/** Reads and validates a scenario file (`.yaml`, `.yml` or `.json`). */
export function loadScenario(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SimulatorError(
      "SCENARIO_NOT_FOUND",
      code === "ENOENT" ? `no scenario file at ${path}` : `cannot read ${path}: ${code}`,
    );
  }
  let doc: unknown;
  try {
    doc = path.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const what = path.endsWith(".json") ? "JSON" : "YAML";
    throw invalid(path, "(root)", `not valid ${what}: ${(error as Error).message.split("\n")[0]}`);
  }
  return parseScenario(doc, path);
}

/**
 * The scenario with every population count multiplied by `scale` (rounded, at least 1 where the
 * scenario has any): the shortened form the tests run. The attestors have no count and are not
 * scaled: how many of each kind there are decides who can reach a quorum.
 */
export function scaleScenario(scenario: Scenario, scale: number): Scenario {
  if (scale === 1) return scenario;
  const scaled = structuredClone(scenario);
  const pops = scaled.populations as Record<string, { count?: number } | undefined>;
  for (const key of Object.keys(pops)) {
    const pop = pops[key];
    if (pop?.count !== undefined && pop.count > 0)
      pop.count = Math.max(1, Math.round(pop.count * scale));
  }
  return scaled;
}
