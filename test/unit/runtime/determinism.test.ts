// Determinism guard: runtime code must not read clocks or randomness, use floating point, or
// iterate collections whose order is not part of consensus. Every node must compute the same state
// root from the same block, so this scans the source rather than trusting review.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";

const ROOT = join(import.meta.dirname, "../../..");
const RUNTIME = join(ROOT, "runtime");

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return tsFiles(path);
      return entry.name.endsWith(".ts") ? [path] : [];
    })
    .sort();
}

/**
 * The code with comments removed and string/template text blanked (same length and line breaks,
 * so positions still point at the source). `${…}` inside templates stays code. Regex literals are
 * left as they are: they hold patterns, not numbers.
 */
function codeOnly(source: string): string {
  let out = "";
  let i = 0;
  const templateDepth: number[] = []; // brace depth at which each open template's `${` began
  let braces = 0;
  const blank = (text: string) => text.replace(/[^\n]/g, " ");
  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === "/" && next === "/") {
      const end = source.indexOf("\n", i);
      const stop = end === -1 ? source.length : end;
      out += blank(source.slice(i, stop));
      i = stop;
    } else if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end === -1 ? source.length : end + 2;
      out += blank(source.slice(i, stop));
      i = stop;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < source.length && source[j] !== c && source[j] !== "\n")
        j += source[j] === "\\" ? 2 : 1;
      out += `${c}${blank(source.slice(i + 1, j))}${c}`;
      i = j + 1;
    } else if (c === "`" || (c === "}" && templateDepth.at(-1) === braces)) {
      // Template text, from the backtick (or the `}` closing a `${`) to the next `${` or backtick.
      if (c === "}") templateDepth.pop();
      let j = i + 1;
      while (
        j < source.length &&
        source[j] !== "`" &&
        !(source[j] === "$" && source[j + 1] === "{")
      )
        j += source[j] === "\\" ? 2 : 1;
      out += c + blank(source.slice(i + 1, j));
      if (source[j] === "$") {
        out += "${";
        braces++;
        templateDepth.push(braces);
        i = j + 2;
      } else {
        out += "`";
        i = j + 1;
      }
    } else {
      if (c === "{") braces++;
      if (c === "}") braces--;
      out += c;
      i++;
    }
  }
  return out;
}

interface Finding {
  line: number;
  what: string;
}

const FORBIDDEN: [RegExp, string][] = [
  [/\bDate\.now\b/, "Date.now"],
  [/\bnew\s+Date\s*\(/, "new Date("],
  [/\bMath\.random\b/, "Math.random"],
  [/\bperformance\.now\b/, "performance.now"],
  [/\bprocess\.hrtime\b/, "process.hrtime"],
  [/\bcrypto\.(randomBytes|randomUUID|getRandomValues)\b/, "crypto randomness"],
  [/\bparseFloat\b/, "parseFloat"],
  [/\bNumber\.parseFloat\b/, "Number.parseFloat"],
  [/\bMath\.(sqrt|pow|exp|log|sin|cos|tan|cbrt|hypot)\b/, "floating-point Math"],
  [/\.toFixed\s*\(/, "toFixed"],
  // 1.5, .5, 1e3, 1.5e-3 (bigint and integer literals are fine; no regex holds such text here).
  [
    /(?<![\w.$])(\d[\d_]*\.\d|\.\d[\d_]*(?![\w$])|\d[\d_]*(\.\d+)?[eE][+-]?\d)/,
    "floating-point literal",
  ],
  [/\bfor\s*\([^)]*\bin\b/, "for…in (prototype and insertion order)"],
];

/** Map and Set iteration: insertion order is deterministic only if every insertion is; demand a sort. */
function unorderedIteration(code: string): Finding[] {
  const findings: Finding[] = [];
  const names = new Set<string>();
  for (const m of code.matchAll(
    /\b(?:const|let|var|readonly|#?)\s*(#?\w+)\s*(?::[^=;]+)?=\s*new\s+(?:Map|Set)\b/g,
  )) {
    names.add(m[1]!);
  }
  const lines = code.split("\n");
  for (const name of names) {
    const escaped = name.replace(/[$#]/g, "\\$&");
    const uses = [
      new RegExp(`\\bfor\\s*\\([^)]*\\bof\\s+(?:this\\.)?${escaped}\\b(?!\\.get\\()`),
      new RegExp(`(?:^|[^\\w$])${escaped}\\.(?:forEach|keys|values|entries)\\s*\\(`),
      new RegExp(`\\.\\.\\.\\s*${escaped}\\b(?!\\.get\\()`),
      new RegExp(`(?:Array\\.from|Object\\.fromEntries)\\(\\s*${escaped}\\b`),
    ];
    lines.forEach((line, i) => {
      if (uses.some((re) => re.test(line)) && !/\.sort\(/.test(line)) {
        findings.push({ line: i + 1, what: `iteration over the Map/Set ${name} without a sort` });
      }
    });
  }
  return findings;
}

function scan(source: string): Finding[] {
  const code = codeOnly(source);
  const findings: Finding[] = [];
  code.split("\n").forEach((line, i) => {
    for (const [re, what] of FORBIDDEN) if (re.test(line)) findings.push({ line: i + 1, what });
  });
  return [...findings, ...unorderedIteration(code)];
}

describe("determinism guard", () => {
  it("finds what it is meant to find, and ignores comments and strings", () => {
    const flagged = (src: string) => scan(src).map((f) => f.what);
    assert.deepEqual(flagged("const t = Date.now();"), ["Date.now"]);
    assert.deepEqual(flagged("const r = Math.random() * 2;"), ["Math.random"]);
    assert.deepEqual(flagged("const t = performance.now();"), ["performance.now"]);
    assert.deepEqual(flagged("const d = new Date();"), ["new Date("]);
    assert.deepEqual(flagged("const x = parseFloat(s);"), ["parseFloat"]);
    assert.deepEqual(flagged("const x = 1.5;"), ["floating-point literal"]);
    assert.deepEqual(flagged("const x = y * .25;"), ["floating-point literal"]);
    assert.deepEqual(flagged("const x = 1e3;"), ["floating-point literal"]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: template source text under test.
    assert.deepEqual(flagged("const x = `${a * 0.5}`;"), ["floating-point literal"]);
    assert.deepEqual(flagged("for (const k in obj) {}"), [
      "for…in (prototype and insertion order)",
    ]);
    assert.deepEqual(flagged("const m = new Map();\nfor (const [k] of m) f(k);"), [
      "iteration over the Map/Set m without a sort",
    ]);
    assert.deepEqual(flagged("const s = new Set<string>();\nconst a = [...s];"), [
      "iteration over the Map/Set s without a sort",
    ]);
    assert.deepEqual(flagged("const m = new Map();\nconst a = [...m.entries()].sort(cmp);"), []);
    assert.deepEqual(flagged("const m = new Map();\nm.get(1); m.set(2, 3); m.has(4);"), []);
    // Comments, strings and plain integers are fine.
    assert.deepEqual(flagged("// Date.now() 1.5\n/* Math.random */ const x = 15;"), []);
    assert.deepEqual(flagged('const s = "version 1.5 at Date.now";'), []);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: template source text under test.
    assert.deepEqual(flagged("const s = `took ${n} of 2.5 s`;"), []);
    assert.deepEqual(flagged("const n = 10n ** 18n + 1_000_000n; const v = a.b.c;"), []);
    assert.deepEqual(flagged("const re = /^[0-9]{1,39}$/;"), []);
  });

  it("no runtime source reads clocks or randomness, uses floats, or iterates unordered collections", () => {
    const files = tsFiles(RUNTIME);
    assert.ok(files.length >= 10, "the runtime sources were found");
    const problems = files.flatMap((file) =>
      scan(readFileSync(file, "utf8")).map((f) => `${relative(ROOT, file)}:${f.line}: ${f.what}`),
    );
    assert.deepEqual(problems, []);
  });
});
