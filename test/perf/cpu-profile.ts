// `--cpu-profile`: a V8 CPU profile of the main thread over the timed import only (not the setup),
// written beside the JSON for Chrome DevTools or `npx node test/perf/profile-summary.ts`.
// Worker threads are not in it; their work shows as the main thread waiting.
import { Session } from "node:inspector/promises";

export async function profiled<T>(
  enabled: boolean,
  work: () => Promise<T>,
): Promise<{ result: T; profile: object | null }> {
  if (!enabled) return { result: await work(), profile: null };
  const session = new Session();
  session.connect();
  try {
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 500 });
    await session.post("Profiler.start");
    const result = await work();
    const { profile } = await session.post("Profiler.stop");
    return { result, profile };
  } finally {
    session.disconnect();
  }
}
