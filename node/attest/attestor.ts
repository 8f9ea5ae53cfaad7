// The reference attestor (`lineage attest`): follows a node over RPC, finds the measured windows
// whose rounds selected its key, measures each window once (measure.ts), commits in the commit
// phase and reveals in the reveal phase, publishing the full report — only then, so it cannot be
// copied into another's commitment — as a file the reveal points to. Inputs that do not match the
// chain make it commit UNMEASURABLE_ROOT instead of staying silent. It keeps its salts and pending
// reports on disk, so a restart between commit and reveal still reveals. Work is serialised: one
// head at a time, each transaction waited into a block before the next read.
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { u128ToBytes } from "../../primitives/amount.ts";
import { fromHex, toHex } from "../../primitives/bytes.ts";
import { LineageError } from "../../primitives/errors.ts";
import type { Keypair } from "../../primitives/keys.ts";
import { ss58Encode } from "../../primitives/ss58.ts";
import type { RpcClient, Subscription } from "../../rpc/client.ts";
import type { Hex, RpcHeader, RpcMeasuredContribution, RpcWindow } from "../../rpc/node-api.ts";
import { blockEvents, EVENTS_KEY } from "../../runtime/events.ts";
import { commitmentOf, UNMEASURABLE_ROOT } from "../../runtime/pallets/attestation/commitment.ts";
import { connect, submitCall } from "../commands/wallet.ts";
import { AttestError, encodeReport, type ReportDocument } from "./files.ts";
import { measureWindow, misreport } from "./measure.ts";

export interface AttestorOptions {
  rpc: string;
  signer: Keypair;
  /** Where reports are published: each is written there only when it is revealed. */
  reportDir: string;
  /** Where the attestor keeps its salts and the reports it committed to but has not revealed. */
  stateDir: string;
  /** The base URL the report directory is served at; default: reveal the reports' file paths. */
  reportUrl?: string;
  /** Fault injection for tests of the protocol: reveal a deliberately wrong root. */
  fault?: "wrong-root";
  log: (line: string) => void;
}

interface Committed {
  salt: Hex;
  root: Hex;
  total: string;
  leafCount: number;
  reportUri: string;
}

const SETTLED = new Set(["final", "declared"]);
const PAGE = 100;
const STATUS_EVERY_MS = 30_000;

const key = (model: number, window: number) => `${model}/${window}`;

export class Attestor {
  readonly #o: AttestorOptions;
  readonly #client: RpcClient;
  readonly #me: string;
  readonly #watching = new Map<string, { model: number; window: number }>();
  readonly #reports = new Map<string, ReportDocument>();
  #commits: Record<string, Committed> = {};
  #subscription: Subscription | null = null;
  #running: Promise<void> = Promise.resolve();
  #pending = false;
  #best = 0;
  #statusTimer: ReturnType<typeof setInterval> | null = null;
  #done = { committed: 0, revealed: 0 };

  private constructor(options: AttestorOptions, client: RpcClient, ss58Prefix: number) {
    this.#o = options;
    this.#client = client;
    this.#me = ss58Encode(options.signer.publicKey, ss58Prefix);
  }

  /** Connects, loads its state, finds the windows still open and starts following new heads. */
  static async start(options: AttestorOptions): Promise<Attestor> {
    const client = await connect(options.rpc);
    const properties = await client.system.properties();
    const attestor = new Attestor(options, client, Number(properties.ss58Format ?? 42));
    await attestor.#load();
    const record = await client.attestation.attestor(attestor.#me);
    options.log(
      record
        ? `attest: ${attestor.#me}, bond ${record.bond} planck${record.eligible ? "" : " (not eligible: below the minimum bond or unbonding)"}`
        : `attest: ${attestor.#me} is not bonded: bond with lineage tx attestation bond, or it is never selected`,
    );
    if (!options.reportUrl)
      options.log(
        `attest: reports are revealed as paths under ${options.reportDir}: only this machine can fetch them; serve the directory and pass --report-url on a shared network`,
      );
    await attestor.#discover();
    attestor.#subscription = await client.chain.subscribeNewHeads((header) =>
      attestor.#onHead(header),
    );
    attestor.#statusTimer = setInterval(() => attestor.#status(), STATUS_EVERY_MS);
    attestor.#schedule();
    return attestor;
  }

  async stop(): Promise<void> {
    if (this.#statusTimer) clearInterval(this.#statusTimer);
    await this.#subscription?.unsubscribe().catch(() => false);
    await this.#running;
    await this.#client.close();
  }

  /** Resolves once the work queued so far is done (for tests and --once style callers). */
  idle(): Promise<void> {
    return this.#running;
  }

  #status(): void {
    this.#o.log(
      `attest: best #${this.#best}, ${this.#watching.size} window(s) open, ${this.#done.committed} committed, ${this.#done.revealed} revealed`,
    );
  }

  #onHead(header: RpcHeader): void {
    this.#best = Number.parseInt(header.number, 16);
    this.#schedule();
  }

  /** Runs one pass after the current one; passes requested meanwhile collapse into one. */
  #schedule(): void {
    if (this.#pending) return;
    this.#pending = true;
    this.#running = this.#running.then(async () => {
      this.#pending = false;
      try {
        await this.#pass();
      } catch (error) {
        this.#o.log(`attest: ${describe(error)}`);
      }
    });
  }

  /** Every measured model's windows that are not settled yet. */
  async #discover(): Promise<void> {
    let start: number | null = 0;
    while (start !== null) {
      const page = await this.#client.attribution.models(start, PAGE);
      for (const model of page.items) {
        if (!model.measurement) continue;
        let after: number | null = null;
        do {
          const windows = await this.#client.attestation.windows(model.id, after, PAGE);
          for (const w of windows.items)
            if (w.phase !== "running" && !SETTLED.has(w.phase))
              this.#watching.set(key(model.id, w.window), { model: model.id, window: w.window });
          after = windows.next;
        } while (after !== null);
      }
      start = page.next;
    }
  }

  async #pass(): Promise<void> {
    const head = await this.#client.chain.getBlockHash();
    if (head) await this.#noteEvents(head);
    for (const [k, w] of [...this.#watching]) {
      const window = await this.#client.attestation.window(w.model, w.window);
      if (!window || SETTLED.has(window.phase)) {
        if (window?.phase === "final")
          this.#o.log(
            `attest: model #${w.model} window ${w.window} is final: ${window.result?.root}`,
          );
        this.#watching.delete(k);
        continue;
      }
      try {
        await this.#advance(window);
      } catch (error) {
        this.#o.log(`attest: model #${w.model} window ${w.window}: ${describe(error)}`);
      }
    }
  }

  /** New windows come from the head's events: a window opened, or a round started. */
  async #noteEvents(head: Hex): Promise<void> {
    const raw = await this.#client.state.getStorage(toHex(EVENTS_KEY) as Hex, head);
    const value = raw === null ? undefined : fromHex(raw);
    for (const e of blockEvents({ get: () => value })) {
      if (e.pallet !== "Attestation" || (e.name !== "RoundStarted" && e.name !== "WindowOpened"))
        continue;
      const model = Number(e.data.modelId);
      const window = Number(e.data.window);
      this.#watching.set(key(model, window), { model, window });
    }
  }

  async #advance(window: RpcWindow): Promise<void> {
    const round = window.rounds.find((r) => r.round === window.round);
    if (!round?.selected.includes(this.#me)) return;
    const k = `${window.model}/${window.window}/${window.round}`;
    if (window.phase === "commit" && !round.committed.includes(this.#me)) {
      const committed =
        this.#commits[k] ?? (await this.#remember(k, await this.#reportOrNot(window), window));
      const commitment = commitmentOf({
        modelId: window.model,
        window: window.window,
        round: window.round,
        attestor: this.#o.signer.publicKey,
        root: fromHex(committed.root),
        total: BigInt(committed.total),
        leafCount: committed.leafCount,
        salt: fromHex(committed.salt),
      });
      await this.#submit("Attestation.commitReport", {
        modelId: window.model,
        window: window.window,
        round: window.round,
        commitment,
      });
      this.#done.committed++;
      this.#o.log(
        `attest: model #${window.model} window ${window.window} round ${window.round}: committed ${committed.root}`,
      );
    } else if (window.phase === "reveal" && round.committed.includes(this.#me)) {
      if (round.reveals.some((r) => r.account === this.#me)) return;
      const committed = this.#commits[k];
      if (!committed)
        throw new LineageError("ATTEST_STATE", `no salt kept for ${k}: cannot reveal`);
      // Published only now, after the commit phase: nobody could copy it into a commitment.
      if (committed.reportUri !== "") await this.#publish(window);
      await this.#submit("Attestation.revealReport", {
        modelId: window.model,
        window: window.window,
        round: window.round,
        root: fromHex(committed.root),
        total: u128ToBytes(BigInt(committed.total)),
        leafCount: committed.leafCount,
        salt: fromHex(committed.salt),
        reportUri: committed.reportUri,
      });
      this.#done.revealed++;
      this.#o.log(
        `attest: model #${window.model} window ${window.window} round ${window.round}: revealed ${committed.root} (${committed.reportUri})`,
      );
    }
  }

  /** The window's report, measured once and kept; written where the reveal will point. */
  async #report(window: RpcWindow): Promise<ReportDocument> {
    const cached = this.#reports.get(key(window.model, window.window));
    if (cached) return cached;
    const started = process.hrtime.bigint();
    const model = await this.#client.attribution.model(window.model);
    if (!model?.measurement)
      throw new LineageError("ATTEST_INPUTS", `model #${window.model} is not measured`);
    const methods = await this.#client.attestation.methods();
    const method = methods.find(
      (m) => m.name === model.measurement!.method && m.version === model.measurement!.methodVersion,
    );
    if (!method)
      throw new LineageError(
        "ATTEST_INPUTS",
        `the chain has no method ${model.measurement.method} v${model.measurement.methodVersion}`,
      );
    const contributions: RpcMeasuredContribution[] = [];
    let start: number | null = 0;
    while (start !== null) {
      const page = await this.#client.attestation.contributions(window.model, start, PAGE);
      contributions.push(...page.items);
      start = page.next;
    }
    const measured = await measureWindow({
      model,
      window,
      params: fromHex(method.params),
      contributions,
    });
    const report = this.#o.fault === "wrong-root" ? misreport(measured.report) : measured.report;
    const ms = Number((process.hrtime.bigint() - started) / 1_000_000n);
    const points = measured.outcome.points.reduce((n, p) => n + p.total, 0);
    this.#o.log(
      `attest: model #${window.model} window ${window.window}: measured ${contributions.length} contributions (${points} points) × ${measured.outcome.queries} queries in ${ms} ms; root ${report.root}${report.total === 0n ? " (nothing valued above zero)" : ""}`,
    );
    this.#reports.set(key(window.model, window.window), report);
    return report;
  }

  /**
   * The window's report, or null when its inputs do not match what the chain committed (then the
   * attestor commits UNMEASURABLE_ROOT: the window cannot be measured, and honest attestors agree
   * on that instead of being slashed for staying silent).
   */
  async #reportOrNot(window: RpcWindow): Promise<ReportDocument | null> {
    try {
      return await this.#report(window);
    } catch (error) {
      if (!(error instanceof AttestError)) throw error;
      this.#o.log(
        `attest: model #${window.model} window ${window.window} is unmeasurable: ${describe(error)}`,
      );
      return null;
    }
  }

  #reportName(window: RpcWindow): string {
    return `report-model${window.model}-window${window.window}.json`;
  }

  /**
   * Picks a salt and keeps it, with the report (in the state directory, not yet published), on
   * disk before anything is committed: a restart between commit and reveal still reveals.
   */
  async #remember(k: string, report: ReportDocument | null, window: RpcWindow): Promise<Committed> {
    const name = this.#reportName(window);
    if (report) await writeAtomically(join(this.#o.stateDir, name), encodeReport(report));
    const published = resolve(this.#o.reportDir, name);
    const committed: Committed = report
      ? {
          salt: toHex(randomBytes(32)) as Hex,
          root: report.root,
          total: report.total.toString(),
          leafCount: report.leaves.length,
          reportUri: this.#o.reportUrl
            ? `${this.#o.reportUrl.replace(/\/$/, "")}/${name}`
            : published,
        }
      : {
          salt: toHex(randomBytes(32)) as Hex,
          root: toHex(UNMEASURABLE_ROOT) as Hex,
          total: "0",
          leafCount: 0,
          reportUri: "",
        };
    this.#commits[k] = committed;
    await writeAtomically(
      this.#statePath(),
      new TextEncoder().encode(JSON.stringify(this.#commits)),
    );
    return committed;
  }

  /** Moves the window's committed report from the state directory into the published one. */
  async #publish(window: RpcWindow): Promise<void> {
    const name = this.#reportName(window);
    const published = join(this.#o.reportDir, name);
    const bytes = await readFile(join(this.#o.stateDir, name)).catch(() => null);
    if (bytes) await writeAtomically(published, bytes);
  }

  #statePath(): string {
    return join(this.#o.stateDir, "attestor-state.json");
  }

  async #load(): Promise<void> {
    await mkdir(this.#o.reportDir, { recursive: true });
    await mkdir(this.#o.stateDir, { recursive: true });
    try {
      this.#commits = JSON.parse(await readFile(this.#statePath(), "utf8")) as Record<
        string,
        Committed
      >;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }

  async #submit(call: string, args: object): Promise<void> {
    const result = await submitCall({
      rpc: this.#o.rpc,
      from: this.#o.signer,
      call,
      args,
      waitFinalized: false,
    });
    const failed = result.events.find((e) => e.pallet === "System" && e.name === "ExtrinsicFailed");
    if (failed) throw new LineageError("TX_FAILED", `${call} failed: ${String(failed.data.error)}`);
  }
}

async function writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
  const partial = `${path}.${process.pid}.partial`;
  await writeFile(partial, bytes);
  await rename(partial, path);
}

function describe(error: unknown): string {
  if (error instanceof LineageError) return `${error.message} [${error.code}]`;
  return error instanceof Error ? error.message : String(error);
}
