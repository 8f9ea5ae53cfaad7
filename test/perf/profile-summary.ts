// Summarizes a V8 .cpuprofile: self time by area of the code base and the hottest functions.
//   npx node test/perf/profile-summary.ts bench-results/import-….cpuprofile
import { readFile } from "node:fs/promises";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** First match wins: more specific patterns first. */
const AREAS: [string, RegExp][] = [
  ["hashing (@noble/hashes)", /@noble\/hashes|primitives\/hash\.ts/],
  ["ed25519 (@noble/curves, keys.ts)", /@noble\/curves|primitives\/keys\.ts/],
  ["signature pool (main-thread side)", /signature-verifier\.ts|node:internal\/worker/],
  ["trie (state/trie)", /state\/trie\//],
  ["codec (protobufjs, codec.ts)", /protobufjs|primitives\/codec\.ts|primitives\/chain\.ts/],
  ["storage (level, repositories)", /level|state\/store\/|state\/kv\.ts|state\/chain-store\.ts/],
  ["overlay (state/overlay.ts)", /state\/overlay\.ts/],
  ["runtime (executive, pallets)", /\/runtime\//],
  ["import pipeline (consensus)", /\/consensus\//],
];

function areaOf(frame: ProfileNode["callFrame"]): string {
  if (frame.url === "") {
    if (frame.functionName === "(garbage collector)") return "garbage collection";
    if (frame.functionName === "(idle)") return "idle (waiting: workers, disk)";
    if (frame.functionName === "(program)") return "V8 / native (program)";
    return `native: ${frame.functionName || "(anonymous)"}`;
  }
  for (const [area, pattern] of AREAS) if (pattern.test(frame.url)) return area;
  return "other JavaScript";
}

export function summarize(profile: CpuProfile): {
  areas: [string, number][];
  functions: [string, number][];
  totalMs: number;
} {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let totalMs = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const frame = byId.get(id)!.callFrame;
    totalMs += ms;
    const area = areaOf(frame);
    areas.set(area, (areas.get(area) ?? 0) + ms);
    const file = frame.url.replace(/^.*\/(node_modules|main)\//, "");
    const name = `${frame.functionName || "(anonymous)"} ${file}:${frame.lineNumber + 1}`;
    functions.set(name, (functions.get(name) ?? 0) + ms);
  });
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { areas: sorted(areas), functions: sorted(functions).slice(0, 20), totalMs };
}

if (import.meta.main) {
  const path = process.argv[2];
  if (!path) {
    console.error("usage: npx node test/perf/profile-summary.ts <file.cpuprofile>");
    process.exit(2);
  }
  const { areas, functions, totalMs } = summarize(JSON.parse(await readFile(path, "utf8")));
  const pct = (ms: number) => `${((100 * ms) / totalMs).toFixed(1).padStart(5)}%`;
  console.log(`self time by area (${(totalMs / 1000).toFixed(2)} s sampled):`);
  for (const [area, ms] of areas) console.log(`  ${pct(ms)}  ${area}`);
  console.log("hottest functions (self time):");
  for (const [name, ms] of functions) console.log(`  ${pct(ms)}  ${name}`);
}
