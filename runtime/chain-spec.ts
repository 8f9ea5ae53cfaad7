// Chain specs: the built-in `dev` and `local` specs, validation of spec JSON (clear errors with the
// offending path), the genesis configuration they describe and the raw (storage) form.
import * as v from "valibot";
import { U128_MAX, UNIT } from "../primitives/amount.ts";
import { fromHex, toHex } from "../primitives/bytes.ts";
import { DEV_ACCOUNT_NAMES, type DevAccountName, devKeypair } from "../primitives/dev-accounts.ts";
import { LineageError } from "../primitives/errors.ts";
import { parseAccountId, ss58Encode } from "../primitives/ss58.ts";
import { ChainSpecError } from "./errors.ts";
import { KNN_SHAPLEY_V1_SPEC_HASH, knnShapleyParams } from "./measurement/methods.ts";
import type { GenesisConfig } from "./pallet.ts";
import { checkAuthoritySet } from "./pallets/authorities.ts";
import { checkMembership } from "./pallets/council.ts";
import { PARAMS, validateGenesisParams } from "./pallets/params.ts";

const HEX = /^0x([0-9a-fA-F]{2})*$/;
const UINT = /^[0-9]{1,39}$/;

const GenesisConfigJson = v.strictObject({
  balances: v.strictObject({
    balances: v.pipe(
      v.array(
        v.tuple([
          v.string(),
          v.pipe(v.string(), v.regex(UINT, "an amount in planck as a decimal string")),
        ]),
      ),
      v.maxLength(100_000),
    ),
  }),
  authorities: v.strictObject({
    authorities: v.pipe(v.array(v.string()), v.maxLength(100)),
    slotDuration: v.pipe(v.number(), v.integer(), v.minValue(100), v.maxValue(600_000)),
  }),
  sudo: v.optional(v.strictObject({ key: v.nullable(v.string()) })),
  council: v.optional(
    v.strictObject({
      members: v.pipe(v.array(v.string()), v.maxLength(1_000)),
      threshold: v.pipe(v.number(), v.integer(), v.minValue(1)),
    }),
  ),
  params: v.optional(
    v.record(v.string(), v.pipe(v.string(), v.regex(UINT, "a decimal integer string"))),
  ),
  attribution: v.optional(
    v.strictObject({
      methods: v.pipe(
        v.array(
          v.strictObject({
            name: v.pipe(v.string(), v.regex(/^[a-z0-9-]{1,32}$/, "1 to 32 of a-z, 0-9 and -")),
            version: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0xffff_ffff)),
            params: v.pipe(v.string(), v.regex(HEX, "0x-prefixed hex"), v.maxLength(2_050)),
            specHash: v.pipe(v.string(), v.regex(/^0x[0-9a-fA-F]{64}$/, "a 32-byte hash as hex")),
          }),
        ),
        v.maxLength(64),
      ),
    }),
  ),
});

/**
 * The properties wallets read: the SS58 prefix must be one an address can carry (0..16383, as
 * Substrate's ss58-registry), decimals and symbol within reason; other keys pass through.
 */
const Properties = v.looseObject({
  ss58Format: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(16_383))),
  tokenDecimals: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(255))),
  tokenSymbol: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(32))),
});

const ChainSpecJson = v.object({
  name: v.pipe(v.string(), v.maxLength(100)),
  id: v.pipe(v.string(), v.regex(/^[a-z0-9_-]{1,64}$/, "lower-case letters, digits, '-' or '_'")),
  chainType: v.union([
    v.picklist(["Development", "Local", "Live"]),
    v.strictObject({ Custom: v.pipe(v.string(), v.maxLength(100)) }),
  ]),
  bootNodes: v.optional(v.array(v.string()), []),
  telemetryEndpoints: v.optional(v.nullable(v.unknown()), null),
  protocolId: v.optional(v.nullable(v.string()), null),
  properties: v.optional(v.nullable(Properties), null),
  genesis: v.union([
    v.strictObject({ runtimeGenesis: v.strictObject({ config: GenesisConfigJson }) }),
    v.strictObject({
      raw: v.strictObject({
        top: v.record(v.pipe(v.string(), v.regex(HEX)), v.pipe(v.string(), v.regex(HEX))),
        childrenDefault: v.optional(v.record(v.string(), v.unknown())),
      }),
    }),
  ]),
});

export type ChainSpec = v.InferOutput<typeof ChainSpecJson>;
export type GenesisConfigJson = v.InferOutput<typeof GenesisConfigJson>;

type Issue = v.BaseIssue<unknown>;

/**
 * The offending path and message of an issue. When no branch of a union matches, valibot reports
 * the union itself ("genesis: Invalid type") with each branch's issues relative to it; the branch
 * that got furthest names the field that is actually wrong.
 */
function describeIssue(issue: Issue): { path: string[]; message: string } {
  const own = (issue.path ?? []).map((item) => String(item.key));
  let best = { path: own, message: issue.message };
  for (const sub of issue.issues ?? []) {
    const inner = describeIssue(sub);
    const path = [...own, ...inner.path];
    if (path.length > best.path.length) best = { path, message: inner.message };
  }
  return best;
}

/** Validates a parsed chain spec document; the error names the first offending field. */
export function parseChainSpec(json: unknown): ChainSpec {
  const result = v.safeParse(ChainSpecJson, json);
  if (!result.success) {
    const { path, message } = describeIssue(result.issues[0]!);
    throw invalid(path.length > 0 ? path.join(".") : "(root)", message);
  }
  const spec = result.output;
  if ("runtimeGenesis" in spec.genesis) genesisConfigOf(spec);
  return spec;
}

const CONFIG = "genesis.runtimeGenesis.config";

function invalid(path: string, detail: string): ChainSpecError {
  return new ChainSpecError("INVALID_CHAIN_SPEC", `chain spec: ${path}: ${detail}`);
}

function account(text: string, where: string): Uint8Array {
  try {
    return parseAccountId(text);
  } catch (error) {
    throw invalid(where, error instanceof LineageError ? error.message : String(error));
  }
}

/** The typed genesis configuration of a (non-raw) spec; validates accounts, sets and bounds. */
export function genesisConfigOf(spec: ChainSpec): GenesisConfig {
  if (!("runtimeGenesis" in spec.genesis)) {
    throw new ChainSpecError("RAW_CHAIN_SPEC", "a raw chain spec has no genesis configuration");
  }
  const config = spec.genesis.runtimeGenesis.config;
  const params: Record<string, bigint> = {};
  for (const [name, value] of Object.entries(config.params ?? {})) params[name] = BigInt(value);
  try {
    validateGenesisParams(params);
  } catch (error) {
    if (!(error instanceof ChainSpecError)) throw error;
    throw invalid(`${CONFIG}.params`, error.message);
  }
  const ed = params.existentialDeposit ?? PARAMS.existentialDeposit.default;
  let issuance = 0n;
  const seen = new Set<string>();
  const balances = config.balances.balances.map(([who, text], i) => {
    const where = `${CONFIG}.balances.balances.${i}`;
    const id = account(who, `${where}.0`);
    // As Substrate's balances genesis: one entry per account, none below the existential deposit.
    if (seen.has(toHex(id))) throw invalid(`${where}.0`, "duplicate account");
    seen.add(toHex(id));
    const amount = BigInt(text);
    if (amount < ed)
      throw invalid(`${where}.1`, `${amount} is below the existential deposit ${ed}`);
    issuance += amount;
    if (issuance > U128_MAX) throw invalid(`${where}.1`, "total issuance exceeds u128");
    return [id, amount] as [Uint8Array, bigint];
  });
  const authorities = config.authorities.authorities.map((a, i) =>
    account(a, `${CONFIG}.authorities.authorities.${i}`),
  );
  const problem = checkAuthoritySet(authorities);
  if (problem) throw invalid(`${CONFIG}.authorities.authorities`, problem);
  const sudoKey = config.sudo?.key ? account(config.sudo.key, `${CONFIG}.sudo.key`) : null;
  return {
    balances,
    authorities,
    sudoKey,
    council: councilOf(config, params),
    slotDuration: config.authorities.slotDuration,
    params,
    attributionMethods: methodsOf(config),
  };
}

function methodsOf(config: GenesisConfigJson): GenesisConfig["attributionMethods"] {
  const methods = (config.attribution?.methods ?? []).map((m) => ({
    name: m.name,
    version: m.version,
    params: fromHex(m.params),
    specHash: fromHex(m.specHash),
  }));
  methods.forEach((m, i) => {
    if (methods.findIndex((o) => o.name === m.name && o.version === m.version) !== i)
      throw invalid(`${CONFIG}.attribution.methods.${i}`, `${m.name} v${m.version} appears twice`);
  });
  return methods;
}

function councilOf(
  config: GenesisConfigJson,
  params: Record<string, bigint>,
): GenesisConfig["council"] {
  if (!config.council) return null;
  const members = config.council.members.map((m, i) =>
    account(m, `${CONFIG}.council.members.${i}`),
  );
  const maxMembers = params.councilMaxMembers ?? PARAMS.councilMaxMembers.default;
  const problem = checkMembership(members, config.council.threshold, maxMembers);
  if (problem) throw invalid(`${CONFIG}.council.${problem.field}`, problem.message);
  return { members, threshold: config.council.threshold };
}

const DEV_ENDOWMENT = 1_000_000n * UNIT;
const DEV_SLOT_MS = 2000;
const DEV_COUNCIL: DevAccountName[] = ["alice", "bob", "charlie"];
const PROPERTIES = { ss58Format: 42, tokenDecimals: 12, tokenSymbol: "LIN" };

/** knn-shapley v1 with the parameters docs/methods/knn-shapley-v1.md recommends for 28×28 digits. */
const BUILTIN_KNN_SHAPLEY = {
  name: "knn-shapley",
  version: 1,
  params: toHex(knnShapleyParams({ k: 5, duplicateDistance: 192, rawFeatures: true })),
  specHash: toHex(KNN_SHAPLEY_V1_SPEC_HASH),
};

function devAddress(name: DevAccountName): string {
  return ss58Encode(devKeypair(name).publicKey, 42);
}

/** Every parameter at its default, so that a printed spec lists what a researcher may set. */
function defaultParams(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(PARAMS).map(([name, def]) => [name, def.default.toString()]),
  );
}

function testnetSpec(
  name: string,
  id: string,
  chainType: "Development" | "Local",
  authorities: DevAccountName[],
  sudoKey: DevAccountName | null,
): ChainSpec {
  return {
    name,
    id,
    chainType,
    bootNodes: [],
    telemetryEndpoints: null,
    protocolId: "lin",
    properties: { ...PROPERTIES },
    genesis: {
      runtimeGenesis: {
        config: {
          balances: {
            balances: DEV_ACCOUNT_NAMES.map((n) => [devAddress(n), DEV_ENDOWMENT.toString()]),
          },
          authorities: { authorities: authorities.map(devAddress), slotDuration: DEV_SLOT_MS },
          ...(sudoKey ? { sudo: { key: devAddress(sudoKey) } } : {}),
          council: { members: DEV_COUNCIL.map(devAddress), threshold: 2 },
          params: defaultParams(),
          attribution: { methods: [BUILTIN_KNN_SHAPLEY] },
        },
      },
    },
  };
}

/**
 * Built-in specs by id: `dev` (alice the sole authority and the sudo key) and `local` (alice, bob,
 * charlie, dave; no sudo). Both have the council alice, bob, charlie with threshold 2.
 */
export function builtinChainSpec(id: string): ChainSpec | undefined {
  if (id === "dev") return testnetSpec("Development", "dev", "Development", ["alice"], "alice");
  if (id === "local")
    return testnetSpec(
      "Local Testnet",
      "local",
      "Local",
      ["alice", "bob", "charlie", "dave"],
      null,
    );
  return undefined;
}

/** The raw form: genesis as storage key/value pairs, independent of the runtime's genesis code. */
export function toRawChainSpec(
  spec: ChainSpec,
  genesisStorage: [Uint8Array, Uint8Array][],
): ChainSpec {
  const top: Record<string, string> = {};
  for (const [key, value] of genesisStorage) top[toHex(key)] = toHex(value);
  return { ...spec, genesis: { raw: { top, childrenDefault: {} } } };
}
