// The layering rule of DESIGN.md ("Layout and layering") as a checker over source text:
// scan each file's import specifiers, resolve relative ones to a file and its layer, and report
// every import that points the wrong way, and every cycle between files.
//
// Plain text in, plain data out, so that the test can feed it synthetic files and prove that it
// catches what it should. No TypeScript parser is available here (TypeScript 7 ships no JS API),
// so `scanImports` is a small tokenizer: it skips comments, strings and regular expressions, so
// that an `import` inside any of them is not mistaken for one.
import { posix } from "node:path";

export interface SourceFile {
  /** Repository-relative, forward slashes: `node/txpool/pool.ts`. */
  path: string;
  source: string;
}

export type ImportKind = "import" | "export" | "dynamic" | "side-effect" | "worker-url";

export interface ImportRef {
  /** The specifier text, or null for a dynamic import whose argument is not a literal. */
  specifier: string | null;
  kind: ImportKind;
  /** `import type` / `export type`: erased at run time, but still a dependency of the design. */
  typeOnly: boolean;
  line: number;
}

export const LAYERS = [
  "primitives",
  "state",
  "runtime",
  "consensus",
  "node",
  "rpc",
  "sim",
  "explorer",
] as const;
export type Layer = (typeof LAYERS)[number];

/**
 * What each layer may import (itself included). The chain is `primitives ← state ← runtime ←
 * consensus ← node`: each layer sees only those to its left.
 *
 * - rpc sees the chain only through the `NodeApi` interface it declares itself (rpc/node-api.ts)
 *   and that node implements, so it may import primitives (encodings, errors) and nothing else.
 *   Not even `import type` from runtime: a runtime type in an RPC signature would make the wire
 *   format change whenever the runtime's internals do; RPC shapes are declared in rpc/. (Today rpc
 *   imports primitives/errors.ts only, so this costs nothing.)
 * - node implements NodeApi and starts the RPC server, so it may import rpc.
 * - sim runs the real runtime over state, and may use the typed RPC client.
 * - explorer talks to the node only over RPC: it may use the typed client in rpc/, nothing from
 *   the chain layers.
 */
export const ALLOWED: Readonly<Record<Layer, readonly Layer[]>> = {
  primitives: ["primitives"],
  state: ["primitives", "state"],
  runtime: ["primitives", "state", "runtime"],
  consensus: ["primitives", "state", "runtime", "consensus"],
  node: ["primitives", "state", "runtime", "consensus", "node", "rpc"],
  rpc: ["primitives", "rpc"],
  sim: ["primitives", "state", "runtime", "rpc", "sim"],
  explorer: ["rpc", "explorer"],
};

/**
 * Single files allowed one more layer than their own: `lineage simulate` is a node subcommand whose
 * whole job is to run the simulator (DESIGN: sim sits beside node, not below it; nothing else in
 * node may reach into sim).
 */
export const FILE_EXCEPTIONS: Readonly<Record<string, readonly Layer[]>> = {
  "node/commands/simulate.ts": ["sim"],
};

export function layerOf(path: string): Layer | undefined {
  const top = path.split("/")[0];
  return (LAYERS as readonly string[]).includes(top ?? "") ? (top as Layer) : undefined;
}

// ---- scanning ---------------------------------------------------------------------------------

type Token =
  | { type: "word"; text: string; line: number }
  | { type: "punct"; text: string; line: number }
  /** `value` is null for a template literal with substitutions. */
  | { type: "string"; value: string | null; line: number };

// After these, a `/` starts a regular expression rather than a division.
const REGEX_AFTER_WORDS = new Set([
  "return",
  "typeof",
  "instanceof",
  "case",
  "do",
  "else",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "yield",
  "await",
]);

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  // For each open `{`: whether it opened a template substitution `${`.
  const braces: boolean[] = [];
  let i = 0;
  let line = 1;
  const n = source.length;

  const regexAllowed = (): boolean => {
    const last = tokens[tokens.length - 1];
    if (!last) return true;
    if (last.type === "string") return false;
    if (last.type === "word") return REGEX_AFTER_WORDS.has(last.text);
    return last.text !== ")" && last.text !== "]";
  };

  // Scans a template from just after "`" or "}" to its end or next "${"; returns whether it ended.
  const templatePart = (): { text: string; ended: boolean } => {
    let text = "";
    while (i < n) {
      const c = source[i]!;
      if (c === "\\") {
        text += source.slice(i, i + 2);
        if (source[i + 1] === "\n") line++;
        i += 2;
        continue;
      }
      if (c === "`") {
        i++;
        return { text, ended: true };
      }
      if (c === "$" && source[i + 1] === "{") {
        i += 2;
        braces.push(true);
        return { text, ended: false };
      }
      if (c === "\n") line++;
      text += c;
      i++;
    }
    return { text, ended: true };
  };

  while (i < n) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === "\n") {
      line++;
      i++;
    } else if (c === " " || c === "\t" || c === "\r") {
      i++;
    } else if (c === "/" && next === "/") {
      while (i < n && source[i] !== "\n") i++;
    } else if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end < 0 ? n : end + 2;
      for (let k = i; k < stop; k++) if (source[k] === "\n") line++;
      i = stop;
    } else if (c === '"' || c === "'") {
      const start = line;
      let value = "";
      i++;
      while (i < n && source[i] !== c && source[i] !== "\n") {
        if (source[i] === "\\") {
          value += source[i + 1] ?? "";
          i += 2;
        } else {
          value += source[i];
          i++;
        }
      }
      i++;
      tokens.push({ type: "string", value, line: start });
    } else if (c === "`") {
      const start = line;
      i++;
      const part = templatePart();
      tokens.push({ type: "string", value: part.ended ? part.text : null, line: start });
    } else if (c === "/" && regexAllowed()) {
      i++;
      let inClass = false;
      while (i < n && source[i] !== "\n") {
        const r = source[i]!;
        if (r === "\\") i += 2;
        else {
          i++;
          if (r === "[") inClass = true;
          else if (r === "]") inClass = false;
          else if (r === "/" && !inClass) break;
        }
      }
      while (i < n && /[a-z]/i.test(source[i]!)) i++;
      tokens.push({ type: "punct", text: "regex", line });
    } else if (/[A-Za-z0-9_$#@]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$]/.test(source[j]!)) j++;
      tokens.push({ type: "word", text: source.slice(i, j), line });
      i = j;
    } else if (c === "{") {
      braces.push(false);
      tokens.push({ type: "punct", text: c, line });
      i++;
    } else if (c === "}") {
      i++;
      if (braces.pop()) {
        // The end of a `${…}` substitution: the template continues, to its end or to the next
        // substitution (tokenized as code; its `}` brings us back here).
        if (templatePart().ended) tokens.push({ type: "string", value: null, line });
      } else {
        tokens.push({ type: "punct", text: c, line });
      }
    } else {
      tokens.push({ type: "punct", text: c, line });
      i++;
    }
  }
  return tokens;
}

const isWord = (t: Token | undefined, text: string) => t?.type === "word" && t.text === text;
const isPunct = (t: Token | undefined, text: string) => t?.type === "punct" && t.text === text;

/** Every import specifier in a TypeScript source text. */
export function scanImports(source: string): ImportRef[] {
  const tokens = tokenize(source);
  const found: ImportRef[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.type !== "word") continue;
    const prev = tokens[k - 1];
    if (isPunct(prev, ".")) continue; // `x.import(…)`: a method, not an import

    if (t.text === "import") {
      const after = tokens[k + 1];
      if (isPunct(after, ".")) continue; // import.meta
      if (isPunct(after, "(")) {
        const arg = tokens[k + 2];
        const literal = arg?.type === "string" && isPunct(tokens[k + 3], ")") ? arg.value : null;
        found.push({ specifier: literal, kind: "dynamic", typeOnly: false, line: t.line });
        continue;
      }
      if (after?.type === "string") {
        found.push({ specifier: after.value, kind: "side-effect", typeOnly: false, line: t.line });
        continue;
      }
      const typeOnly = isWord(after, "type") && !isWord(tokens[k + 2], "from");
      const spec = specifierAfterFrom(tokens, k + 1);
      if (spec !== undefined)
        found.push({ specifier: spec, kind: "import", typeOnly, line: t.line });
    } else if (t.text === "export") {
      const after = tokens[k + 1];
      const typeOnly = isWord(after, "type") && isPunct(tokens[k + 2], "{");
      const head = typeOnly ? tokens[k + 2] : after;
      if (!isPunct(head, "*") && !isPunct(head, "{")) continue; // export const/function/…
      const spec = specifierAfterFrom(tokens, k + 1);
      if (spec !== undefined)
        found.push({ specifier: spec, kind: "export", typeOnly, line: t.line });
    } else if (t.text === "URL" && isWord(prev, "new") && isPunct(tokens[k + 1], "(")) {
      // `new URL("./worker.ts", import.meta.url)`: a module loaded by path (worker threads).
      const arg = tokens[k + 2];
      const isMeta =
        isPunct(tokens[k + 3], ",") &&
        isWord(tokens[k + 4], "import") &&
        isPunct(tokens[k + 5], ".") &&
        isWord(tokens[k + 6], "meta");
      if (arg?.type === "string" && arg.value && isMeta && /\.(ts|js|mjs)$/.test(arg.value)) {
        found.push({ specifier: arg.value, kind: "worker-url", typeOnly: false, line: t.line });
      }
    }
  }
  return found;
}

/** The string after `from` in an import/export clause starting at `start`, if there is one. */
function specifierAfterFrom(tokens: Token[], start: number): string | null | undefined {
  let depth = 0;
  for (let k = start; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (isPunct(t, "{")) depth++;
    else if (isPunct(t, "}")) depth--;
    else if (depth === 0 && (isPunct(t, ";") || t.type === "string")) return undefined;
    else if (depth === 0 && isWord(t, "from")) {
      const spec = tokens[k + 1];
      return spec?.type === "string" ? spec.value : undefined;
    }
    if (depth < 0) return undefined;
  }
  return undefined;
}

// ---- the rule ---------------------------------------------------------------------------------

export interface Edge {
  from: string;
  to: string;
  ref: ImportRef;
}

export interface ImportReport {
  /** One readable line per broken rule: `file:line → specifier: why`. */
  violations: string[];
  /**
   * Each cycle as the files along it, first file repeated at the end. `typeOnly`: the files form
   * a cycle only through `import type` edges, which are erased before the code runs (no module
   * evaluation-order hazard, but still two files that cannot be understood one without the other).
   */
  cycles: { files: string[]; typeOnly: boolean }[];
  /** Resolved file-to-file edges (relative imports only). */
  edges: Edge[];
}

export function checkImports(files: readonly SourceFile[]): ImportReport {
  const known = new Set(files.map((f) => f.path));
  const violations: string[] = [];
  const edges: Edge[] = [];
  for (const file of files) {
    const fromLayer = layerOf(file.path);
    for (const ref of scanImports(file.source)) {
      const where = `${file.path}:${ref.line} → ${ref.specifier ?? "(computed)"}`;
      if (ref.specifier === null) {
        violations.push(`${where}: a dynamic import of a computed path cannot be checked`);
        continue;
      }
      if (!ref.specifier.startsWith(".")) continue; // a package or node: built-in
      const target = posix.normalize(posix.join(posix.dirname(file.path), ref.specifier));
      if (target.startsWith("../")) {
        violations.push(`${where}: leaves the repository`);
        continue;
      }
      const toLayer = layerOf(target);
      const kind = ref.typeOnly ? "type import" : "import";
      if (!fromLayer) continue; // not a layered file (a tool, a test): not ruled here
      if (!toLayer) {
        violations.push(`${where}: ${fromLayer} may not ${kind} ${target} (outside the layers)`);
        continue;
      }
      if (/\.(ts|js|mjs)$/.test(target) && !known.has(target.replace(/\.(js|mjs)$/, ".ts"))) {
        violations.push(`${where}: no such source file ${target}`);
        continue;
      }
      if (!ALLOWED[fromLayer].includes(toLayer) && !FILE_EXCEPTIONS[file.path]?.includes(toLayer)) {
        const allowed = ALLOWED[fromLayer].join(", ");
        violations.push(
          `${where}: ${fromLayer} may not ${kind} from ${toLayer} (${fromLayer} may use: ${allowed})`,
        );
      }
      if (known.has(target)) edges.push({ from: file.path, to: target, ref });
    }
  }
  const paths = files.map((f) => f.path);
  const runtime = findCycles(
    paths,
    edges.filter((e) => !e.ref.typeOnly),
  );
  const all = findCycles(paths, edges);
  const runtimeKeys = new Set(runtime.map((c) => cycleKey(c)));
  const cycles = [
    ...runtime.map((files) => ({ files, typeOnly: false })),
    ...all.filter((c) => !runtimeKeys.has(cycleKey(c))).map((files) => ({ files, typeOnly: true })),
  ];
  return { violations, cycles, edges };
}

/** A cycle's files as a set, to tell whether two reports name the same cycle. */
export function cycleKey(cycle: readonly string[]): string {
  return [...new Set(cycle)].sort().join(" ");
}

/** Tarjan's strongly connected components; one concrete cycle through each non-trivial one. */
function findCycles(nodes: string[], edges: Edge[]): string[][] {
  const out = new Map<string, string[]>();
  for (const node of nodes) out.set(node, []);
  for (const e of edges) out.get(e.from)?.push(e.to);
  for (const list of out.values()) list.sort();

  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of out.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      const selfLoop = out.get(v)?.includes(v) ?? false;
      if (component.length > 1 || selfLoop) components.push(component.sort());
    }
  };
  for (const node of [...nodes].sort()) if (!index.has(node)) visit(node);
  return components.map((component) => cycleThrough(component, out));
}

/** A shortest path from the component's first file back to itself, staying inside it. */
function cycleThrough(component: string[], out: Map<string, string[]>): string[] {
  const members = new Set(component);
  const start = component[0]!;
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift()!;
    for (const w of out.get(v) ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return [...path, start];
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [...component, start];
}
