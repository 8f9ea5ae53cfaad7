// A minimal wallet over JSON-RPC: `lineage tx transfer` signs a transfer locally, submits it,
// follows it into a block and to finality, and prints the block's events for it; `lineage query
// balance` reads an account. Keys never leave this process; the node only sees signed bytes.
import { Command } from "commander";
import { formatLin, parseLin, u128FromBytes, u128ToBytes } from "../../primitives/amount.ts";
import { fromHex, toHex } from "../../primitives/bytes.ts";
import { extrinsicHash } from "../../primitives/chain.ts";
import { DEV_ACCOUNT_NAMES, keypairFromSuri } from "../../primitives/dev-accounts.ts";
import { LineageError } from "../../primitives/errors.ts";
import type { Keypair } from "../../primitives/keys.ts";
import { parseAccountId, ss58Encode } from "../../primitives/ss58.ts";
import { RpcClient } from "../../rpc/client.ts";
import type { Hex, RpcTransactionStatus } from "../../rpc/node-api.ts";
import { blockEvents, type DecodedEvent, EVENTS_KEY } from "../../runtime/events.ts";
import {
  type AccountInfo,
  readAccount,
  storage as systemStorage,
} from "../../runtime/pallets/system.ts";
import { encodeCall, signTransaction } from "../../runtime/signing.ts";
import type { StorageRead } from "../../runtime/storage.ts";

export const DEFAULT_RPC_URL = "ws://127.0.0.1:9944";
/** Mortality of wallet transactions, in blocks (a power of two). */
const ERA_PERIOD = 64;

type Print = (text: string) => void;

/** `alice` / `//Alice` / `0x<seed>` / a SURI with hard junctions. */
export function signerFromText(text: string): Keypair {
  const lower = text.toLowerCase();
  const dev = DEV_ACCOUNT_NAMES.find((n) => n === lower);
  return keypairFromSuri(dev ? `//${dev[0]!.toUpperCase()}${dev.slice(1)}` : text);
}

/** A dev account name or an SS58 / 0x account id. */
export function accountFromText(text: string): Uint8Array {
  const lower = text.toLowerCase();
  const dev = DEV_ACCOUNT_NAMES.find((n) => n === lower);
  return dev ? signerFromText(dev).publicKey : parseAccountId(text);
}

export async function connect(url: string): Promise<RpcClient> {
  try {
    return await RpcClient.connect(url);
  } catch (cause) {
    throw new LineageError("RPC_UNREACHABLE", `cannot connect to ${url}: is the node running?`, {
      cause,
    });
  }
}

export interface TxResult {
  txHash: Hex;
  blockHash: Hex;
  blockNumber: number;
  finalized: boolean;
  events: DecodedEvent[];
}

/** @deprecated name kept for callers of `transfer`: the result of any submitted call. */
export type TransferResult = TxResult;

export interface SubmitOptions {
  rpc: string;
  from: Keypair;
  tip?: bigint;
  waitFinalized?: boolean;
  /** Told the transaction hash as soon as it is submitted (before it lands). */
  onSubmitted?: (txHash: Hex) => void;
}

/**
 * Signs a call locally (mortal era, next nonce), submits it and watches it, resolving once it is
 * in a block (and final, if asked) with the block and the extrinsic's events. Every `lineage tx`
 * command goes through here.
 */
export async function submitCall(
  options: SubmitOptions & { call: string; args: object },
): Promise<TxResult> {
  const client = await connect(options.rpc);
  try {
    const genesis = await client.chain.getBlockHash(0);
    // The era's birth: one block, read by hash so that its number and hash agree.
    const bestHash = await client.chain.getBlockHash();
    const best = bestHash ? await client.chain.getHeader(bestHash) : null;
    const version = await client.state.getRuntimeVersion();
    if (!genesis || !bestHash || !best)
      throw new LineageError("RPC_FAILED", "the node has no chain");
    const nonce = await client.system.accountNextIndex(toHex(options.from.publicKey));
    const call = encodeCall(options.call, options.args);
    const birth = Number.parseInt(best.number, 16);
    const bytes = signTransaction({
      call,
      seed: options.from.secretKey,
      nonce,
      genesisHash: fromHex(genesis),
      era: { period: ERA_PERIOD, birth, birthHash: fromHex(bestHash) },
      tip: options.tip ?? 0n,
      version,
    });
    const txHash = toHex(extrinsicHash(bytes)) as Hex;
    let announced = false;
    const block = await new Promise<{ hash: Hex; finalized: boolean }>((resolve, reject) => {
      const onStatus = (status: RpcTransactionStatus) => {
        if (!announced) {
          announced = true;
          options.onSubmitted?.(txHash);
        }
        if (typeof status !== "object") {
          if (status === "invalid" || status === "dropped") reject(notIncluded(status));
          return;
        }
        if ("inBlock" in status && !options.waitFinalized) {
          resolve({ hash: status.inBlock, finalized: false });
        } else if ("finalized" in status) {
          resolve({ hash: status.finalized, finalized: true });
        } else if ("usurped" in status || "finalityTimeout" in status) {
          reject(notIncluded(status));
        }
      };
      client.author.submitAndWatchExtrinsic(toHex(bytes) as Hex, onStatus).catch(reject);
    });
    const header = await client.chain.getHeader(block.hash);
    const body = await client.chain.getBlock(block.hash);
    const index = body?.block.extrinsics.indexOf(toHex(bytes) as Hex) ?? -1;
    const raw = await client.state.getStorage(toHex(EVENTS_KEY) as Hex, block.hash);
    const events = blockEvents(storedValue(raw)).filter((e) => e.extrinsicIndex === index);
    return {
      txHash,
      blockHash: block.hash,
      blockNumber: header ? Number.parseInt(header.number, 16) : -1,
      finalized: block.finalized,
      events,
    };
  } finally {
    await client.close();
  }
}

/** Signs and submits a transfer, resolving once it is in a block (and final, if asked). */
export async function transfer(
  options: SubmitOptions & { to: Uint8Array; amount: bigint; keepAlive?: boolean },
): Promise<TxResult> {
  return await submitCall({
    ...options,
    call: options.keepAlive ? "Balances.transferKeepAlive" : "Balances.transfer",
    args: { dest: options.to, value: u128ToBytes(options.amount) },
  });
}

/** The options every `lineage tx …` command takes. */
export function addTxOptions(command: Command): Command {
  return command
    .requiredOption(
      "--from <account>",
      "signer: a dev account (alice…ferdie), //Alice or a 0x seed",
    )
    .option("--tip <LIN>", "tip for priority", "0")
    .option("--wait <until>", "inBlock or finalized", "finalized")
    .option("--rpc <url>", "node WebSocket RPC endpoint", DEFAULT_RPC_URL);
}

/** A call by `Pallet.call` name with its arguments, as `encodeCall` takes it. */
export interface BuiltCall {
  call: string;
  args: object;
}

export interface TxFlags {
  from: string;
  tip: string;
  wait: string;
  rpc: string;
}

/**
 * Submits a call with the common `tx` flags and prints the transaction hash, the block and the
 * extrinsic's events. With `failOnError`, a call that landed but failed (System.ExtrinsicFailed)
 * ends the command with TX_FAILED after the events are printed.
 */
export async function runTx(
  print: Print,
  flags: TxFlags,
  /** The call, built after the common flags are checked (so their errors come first). */
  build: () => BuiltCall | Promise<BuiltCall>,
  options: { failOnError?: boolean; explain?: (code: string) => string | undefined } = {},
): Promise<TxResult> {
  if (flags.wait !== "inBlock" && flags.wait !== "finalized") {
    throw new LineageError(
      "INVALID_CLI",
      `--wait: expected inBlock or finalized, got ${flags.wait}`,
    );
  }
  const call = await build();
  const from = signerFromText(flags.from);
  const tip = parseLin(flags.tip);
  const result = await submitCall({
    ...call,
    rpc: flags.rpc,
    from,
    tip,
    waitFinalized: flags.wait === "finalized",
    onSubmitted: (hash) => print(`Transaction hash: ${hash}\n`),
  });
  print(
    `${result.finalized ? "Finalized" : "In block"}: #${result.blockNumber} (${result.blockHash})\n`,
  );
  for (const event of result.events) print(`  ${describeEvent(event)}\n`);
  const failed = result.events.find((e) => e.pallet === "System" && e.name === "ExtrinsicFailed");
  if (failed && options.failOnError) {
    const code = String(failed.data.error);
    const why = options.explain?.(code);
    throw new LineageError(
      "TX_FAILED",
      `the call was included but failed: ${code}${why ? ` (${why})` : ""}`,
    );
  }
  return result;
}

/** Runs a flag's parser, turning its error into a one-line INVALID_CLI naming the flag. */
export function cliValue<T>(flag: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof LineageError && error.code === "INVALID_CLI") throw error;
    throw new LineageError("INVALID_CLI", `${flag}: ${(error as Error).message}`);
  }
}

// ---- flag parsers shared by the tx and query commands: one INVALID_CLI line naming the flag ----

export function invalidFlag(flag: string, message: string): never {
  throw new LineageError("INVALID_CLI", `${flag}: ${message}`);
}

/** A non-negative integer (ids, sizes, windows, counts). */
export function uintFlag(flag: string, text: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(text.trim())) invalidFlag(flag, `expected a non-negative integer, got ${text}`);
  const value = Number(text.trim());
  if (!Number.isSafeInteger(value) || value > max) invalidFlag(flag, `at most ${max}, got ${text}`);
  return value;
}

export function linFlag(flag: string, text: string): bigint {
  return cliValue(flag, () => parseLin(text));
}

/** Explains a failed call's `Pallet.Error` code from that pallet's error table. */
export function errorExplainer(
  pallet: string,
  errors: Readonly<Record<string, string>>,
): (code: string) => string | undefined {
  return (code) => {
    const name = code.startsWith(`${pallet}.`) ? code.slice(pallet.length + 1) : undefined;
    return name !== undefined && Object.hasOwn(errors, name) ? errors[name] : undefined;
  };
}

function notIncluded(status: RpcTransactionStatus): LineageError {
  return new LineageError(
    "TX_NOT_INCLUDED",
    `the transaction was not included: ${JSON.stringify(status)}`,
  );
}

/** A storage view holding one value fetched over RPC (the typed item decodes it). */
function storedValue(raw: Hex | null): StorageRead {
  const value = raw === null ? undefined : fromHex(raw);
  return { get: () => value };
}

export async function queryAccount(rpc: string, who: Uint8Array, at?: Hex): Promise<AccountInfo> {
  const client = await connect(rpc);
  try {
    const raw = await client.state.getStorage(toHex(systemStorage.account.key(who)) as Hex, at);
    return readAccount(storedValue(raw), who);
  } finally {
    await client.close();
  }
}

/** 32-byte event fields that are hashes, not accounts. */
const HASH_FIELDS = new Set(["root", "contentHash", "hash"]);

/** Event fields as text: amounts in LIN, accounts as SS58, other bytes as hex. */
export function describeEvent(event: DecodedEvent, ss58Prefix = 42): string {
  const fields = Object.entries(event.data).map(([key, value]) => {
    if (value instanceof Uint8Array) {
      if (value.length === 32 && HASH_FIELDS.has(key)) return `${key}: ${toHex(value)}`;
      if (value.length === 32) return `${key}: ${ss58Encode(value, ss58Prefix)}`;
      if (value.length <= 16) return `${key}: ${formatLin(u128FromBytes(value))}`;
      return `${key}: ${toHex(value)}`;
    }
    return `${key}: ${String(value)}`;
  });
  return `${event.pallet}.${event.name} { ${fields.join(", ")} }`;
}

export function txCommand(print: Print): Command {
  const tx = new Command("tx").description("Sign and submit transactions over RPC.");
  addTxOptions(
    tx
      .command("transfer")
      .description(
        "Transfer LIN; prints the transaction hash, the block it landed in and its events.",
      )
      .requiredOption(
        "--to <address>",
        "recipient: SS58 address, 0x account id or dev account name",
      )
      .requiredOption("--amount <LIN>", "amount in LIN, e.g. 12.5")
      .option("--keep-alive", "refuse a transfer that would reap the sender"),
  ).action(async (o: TxFlags & { to: string; amount: string; keepAlive?: boolean }) => {
    await runTx(print, o, () => ({
      call: o.keepAlive === true ? "Balances.transferKeepAlive" : "Balances.transfer",
      args: { dest: accountFromText(o.to), value: u128ToBytes(parseLin(o.amount)) },
    }));
  });
  return tx;
}

export function queryCommand(print: Print): Command {
  const query = new Command("query").description("Read chain state over RPC.");
  query
    .command("balance")
    .description("Free and reserved balance and nonce of an account.")
    .argument("<address>", "SS58 address, 0x account id or dev account name")
    .option("--at <hash>", "block hash (default: best)")
    .option("--rpc <url>", "node WebSocket RPC endpoint", DEFAULT_RPC_URL)
    .action(async (address: string, o: { at?: string; rpc: string }) => {
      const who = accountFromText(address);
      const info = await queryAccount(o.rpc, who, o.at as Hex | undefined);
      print(`Account:  ${ss58Encode(who)}\n`);
      print(`Free:     ${formatLin(info.free)}\n`);
      print(`Reserved: ${formatLin(info.reserved)}\n`);
      print(`Nonce:    ${info.nonce}\n`);
    });
  return query;
}

/** Options every query command takes. */
export interface QueryOptions {
  at?: string;
  rpc: string;
}

export function notFound(what: string): never {
  throw new LineageError("NOT_FOUND", `${what} not found`);
}

/** The options every query command takes: `--at` and `--rpc`. */
export function addQueryOptions(command: Command): Command {
  return command
    .option("--at <hash>", "block hash (default: best)")
    .option("--rpc <url>", "node WebSocket RPC endpoint", DEFAULT_RPC_URL);
}

/** Connects to `rpc`, reads, prints the result as JSON and closes the connection. */
export async function printQuery(
  print: Print,
  rpc: string,
  read: (client: RpcClient) => Promise<unknown>,
): Promise<void> {
  const client = await connect(rpc);
  try {
    print(`${JSON.stringify(await read(client), null, 2)}\n`);
  } finally {
    await client.close();
  }
}

/**
 * A group of read-only commands (`lineage query <name> …`): each takes `--at` and `--rpc`, and
 * `run` connects, reads and prints the result as JSON.
 */
export function queryGroup(name: string, description: string, print: Print) {
  const group = new Command(name).description(description);
  const query = (command: string, about: string) =>
    addQueryOptions(group.command(command).description(about));
  const run = (rpc: string, read: (client: RpcClient) => Promise<unknown>) =>
    printQuery(print, rpc, read);
  const at = (o: QueryOptions) => o.at as Hex | undefined;
  return { group, query, run, at };
}

/**
 * A group of transactions (`lineage tx <name> …`): `call` adds one subcommand with the common tx
 * flags, then its own, and submits the call built from them; a call that lands but fails ends the
 * command with TX_FAILED, explained by `explain`.
 */
export function txGroup(
  name: string,
  description: string,
  print: Print,
  explain: (code: string) => string | undefined,
) {
  const group = new Command(name).description(description);
  const call = <O extends object>(
    command: string,
    about: string,
    configure: (c: Command) => Command,
    build: (o: O & TxFlags) => BuiltCall | Promise<BuiltCall>,
  ) => {
    configure(addTxOptions(group.command(command).description(about))).action(
      async (o: O & TxFlags) => {
        await runTx(print, o, () => build(o), { failOnError: true, explain });
      },
    );
  };
  return { group, call };
}
