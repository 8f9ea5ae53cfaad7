// The layering rule of DESIGN.md, checked on the repository: imports point one way
// (primitives ← state ← runtime ← consensus ← node; rpc behind an interface; sim and explorer at
// the edge; see ALLOWED in import-graph.ts for the exact table and why), and no file cycles.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import {
  checkImports,
  cycleKey,
  type ImportRef,
  LAYERS,
  type SourceFile,
  scanImports,
} from "./import-graph.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

function repositorySources(): SourceFile[] {
  const files: SourceFile[] = [];
  for (const layer of LAYERS) {
    const dir = join(ROOT, layer);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { recursive: true, encoding: "utf8" })) {
      if (!entry.endsWith(".ts") || entry.split(/[\\/]/).includes("node_modules")) continue;
      const path = `${layer}/${entry.split("\\").join("/")}`;
      files.push({ path, source: readFileSync(join(ROOT, path), "utf8") });
    }
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * Cycles that exist today only through `import type` on both sides, left for their owners to
 * untangle. A new cycle, or one of these turning into a run-time cycle, fails the test.
 */
const KNOWN_TYPE_ONLY_CYCLES = [
  // RegisteredSubscription (method-registry) and SubscriptionHost (subscriptions) name each other.
  "rpc/method-registry.ts rpc/subscriptions.ts",
];

const brief = (refs: ImportRef[]) =>
  refs.map((r) => `${r.kind}${r.typeOnly ? " type" : ""} ${r.specifier ?? "(computed)"}`);

describe("scanImports", () => {
  it("finds static, re-export, type-only, side-effect, dynamic and worker imports", () => {
    const source = [
      'import { a } from "./a.ts";',
      'import type { B } from "../b.ts";',
      'import type from "./default-named-type.ts";',
      "import {",
      "  type C,",
      "  d,",
      '} from "./multi-line.ts";',
      'import * as ns from "./ns.ts";',
      'import "./side-effect.ts";',
      'export { e } from "./e.ts";',
      'export type { F } from "./f.ts";',
      'export * from "./star.ts";',
      "export const g = 1;",
      "export { g as h };",
      'const lazy = await import("./lazy.ts");',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source under test
      "const computed = await import(`./${name}.ts`);",
      'const worker = new Worker(new URL("./worker.ts", import.meta.url));',
      'const json = new URL("../package.json", import.meta.url);',
      "this.#import(block);",
      "loader.import('./method.ts');",
    ].join("\n");
    assert.deepEqual(brief(scanImports(source)), [
      "import ./a.ts",
      "import type ../b.ts",
      "import ./default-named-type.ts",
      "import ./multi-line.ts",
      "import ./ns.ts",
      "side-effect ./side-effect.ts",
      "export ./e.ts",
      "export type ./f.ts",
      "export ./star.ts",
      "dynamic ./lazy.ts",
      "dynamic (computed)",
      "worker-url ./worker.ts",
    ]);
    assert.deepEqual(
      scanImports(source).map((r) => r.line),
      [1, 2, 3, 4, 8, 9, 10, 11, 12, 15, 16, 17],
    );
  });

  it("ignores imports inside comments, strings, templates and regular expressions", () => {
    const source = [
      '// import { x } from "../node/x.ts";',
      '/* import("../node/y.ts") */',
      "/**",
      ' * export * from "../node/z.ts";',
      " */",
      "const s = \"import { q } from '../node/q.ts'\";",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source under test
      'const t = `import("../node/t.ts") ${\'import("../node/u.ts")\'} done`;',
      'const re = /import\\("..\\/node\\/r.ts"\\)/g;',
      'const half = total / 2; import { ok } from "./after-division.ts";',
      'const cls = /[/*]import "x"/; import { ok2 } from "./after-regex.ts";',
    ].join("\n");
    assert.deepEqual(brief(scanImports(source)), [
      "import ./after-division.ts",
      "import ./after-regex.ts",
    ]);
  });
});

describe("checkImports on synthetic files (the checker catches what it should)", () => {
  const file = (path: string, ...imports: string[]): SourceFile => ({
    path,
    source: imports.join("\n"),
  });

  it("accepts imports that point down the layers", () => {
    const report = checkImports([
      file("primitives/bytes.ts"),
      file("state/kv.ts", 'import { toHex } from "../primitives/bytes.ts";'),
      file("runtime/executive.ts", 'import { Kv } from "../state/kv.ts";'),
      file("consensus/aura.ts", 'import { x } from "../runtime/executive.ts";'),
      file(
        "node/service.ts",
        'import { y } from "../consensus/aura.ts";',
        'import type { Hex } from "../rpc/node-api.ts";',
        'import { z } from "./txpool/pool.ts";',
      ),
      file("node/txpool/pool.ts", 'import type { Hex } from "../../rpc/node-api.ts";'),
      file("rpc/node-api.ts", 'import { LineageError } from "../primitives/bytes.ts";'),
      file("sim/run.ts", 'import { x } from "../runtime/executive.ts";'),
      file("node/commands/simulate.ts", 'import { x } from "../../sim/run.ts";'),
      file("explorer/app.ts", 'import type { Hex } from "../rpc/node-api.ts";'),
    ]);
    assert.deepEqual(report.violations, []);
    assert.deepEqual(report.cycles, []);
  });

  it("reports an upward import with the file, line and import", () => {
    const report = checkImports([
      file("primitives/bytes.ts", "", 'import { Kv } from "../state/kv.ts";'),
      file("state/kv.ts"),
    ]);
    assert.equal(report.violations.length, 1);
    assert.match(report.violations[0]!, /^primitives\/bytes\.ts:2 → \.\.\/state\/kv\.ts: /);
    assert.match(report.violations[0]!, /primitives may not import from state/);
  });

  it("reports every forbidden direction, type-only and dynamic imports included", () => {
    const report = checkImports([
      file("primitives/a.ts"),
      file("state/a.ts", 'export * from "../runtime/a.ts";'),
      file("runtime/a.ts", 'const m = await import("../consensus/a.ts");'),
      file("consensus/a.ts", 'import type { Service } from "../node/a.ts";'),
      file("node/a.ts", 'import { s } from "../sim/a.ts";'),
      file("rpc/a.ts", 'import type { Header } from "../runtime/a.ts";'),
      file("rpc/b.ts", 'import { ChainStore } from "../state/a.ts";'),
      file("sim/a.ts", 'import { importer } from "../consensus/a.ts";'),
      file("explorer/a.ts", 'import { toHex } from "../primitives/a.ts";'),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: TypeScript source under test
      file("node/b.ts", "const m = await import(`../${layer}/a.ts`);"),
      file("node/c.ts", 'import { x } from "../test/unit/fixture.ts";'),
      file("node/d.ts", 'import { x } from "./missing.ts";'),
      file("node/e.ts", 'import { x } from "../../elsewhere/x.ts";'),
    ]);
    const byFile = report.violations.map((v) => v.slice(0, v.indexOf(":")));
    assert.deepEqual(byFile, [
      "state/a.ts",
      "runtime/a.ts",
      "consensus/a.ts",
      "node/a.ts",
      "rpc/a.ts",
      "rpc/b.ts",
      "sim/a.ts",
      "explorer/a.ts",
      "node/b.ts",
      "node/c.ts",
      "node/d.ts",
      "node/e.ts",
    ]);
    assert.match(report.violations[2]!, /consensus may not type import from node/);
    assert.match(report.violations[4]!, /rpc may not type import from runtime/);
    assert.match(report.violations[8]!, /computed path cannot be checked/);
    assert.match(report.violations[9]!, /outside the layers/);
    assert.match(report.violations[10]!, /no such source file node\/missing\.ts/);
    assert.match(report.violations[11]!, /leaves the repository/);
  });

  it("reports cycles between files, telling run-time cycles from type-only ones", () => {
    const report = checkImports([
      file("state/a.ts", 'import { b } from "./b.ts";'),
      file("state/b.ts", 'import { c } from "./c.ts";'),
      file("state/c.ts", 'export { a } from "./a.ts";'),
      file("rpc/x.ts", 'import type { Y } from "./y.ts";'),
      file("rpc/y.ts", 'import type { X } from "./x.ts";'),
      file("node/self.ts", 'import { me } from "./self.ts";'),
    ]);
    assert.deepEqual(report.violations, []);
    assert.deepEqual(report.cycles, [
      { files: ["node/self.ts", "node/self.ts"], typeOnly: false },
      { files: ["state/a.ts", "state/b.ts", "state/c.ts", "state/a.ts"], typeOnly: false },
      { files: ["rpc/x.ts", "rpc/y.ts", "rpc/x.ts"], typeOnly: true },
    ]);
  });
});

describe("the repository's imports", () => {
  const files = repositorySources();
  const report = checkImports(files);

  it("reads the layers that exist", () => {
    const layers = new Set(files.map((f) => f.path.split("/")[0]));
    for (const layer of ["primitives", "state", "runtime", "consensus", "node", "rpc"]) {
      assert.ok(layers.has(layer), `no .ts files found under ${layer}/`);
    }
    assert.ok(report.edges.length > 100, "the scanner found almost no imports");
  });

  it("has no import pointing up the layers", () => {
    assert.deepEqual(report.violations, [], `\n${report.violations.join("\n")}\n`);
  });

  it("has no import cycles between files (apart from the known type-only ones)", () => {
    const runtime = report.cycles.filter((c) => !c.typeOnly).map((c) => c.files.join(" → "));
    assert.deepEqual(runtime, [], `run-time import cycles:\n${runtime.join("\n")}`);
    const unexpected = report.cycles
      .filter((c) => c.typeOnly && !KNOWN_TYPE_ONLY_CYCLES.includes(cycleKey(c.files)))
      .map((c) => c.files.join(" → "));
    assert.deepEqual(unexpected, [], `new type-only import cycles:\n${unexpected.join("\n")}`);
  });

  it("lets node/txpool use the types rpc/node-api.ts declares (node may import rpc)", () => {
    const txpoolToRpc = report.edges.filter(
      (e) => e.from.startsWith("node/txpool/") && e.to === "rpc/node-api.ts",
    );
    assert.ok(txpoolToRpc.length > 0, "node/txpool no longer imports rpc/node-api.ts");
    assert.ok(txpoolToRpc.every((e) => e.ref.typeOnly));
    const flagged = report.violations.filter((v) => v.startsWith("node/txpool/"));
    assert.deepEqual(flagged, []);
  });

  it("keeps rpc to itself and primitives", () => {
    const outside = report.edges
      .filter((e) => e.from.startsWith("rpc/") && !e.to.startsWith("rpc/"))
      .map((e) => e.to.split("/")[0]);
    assert.deepEqual(
      outside.filter((layer) => layer !== "primitives"),
      [],
    );
  });
});
