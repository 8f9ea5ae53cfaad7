// `lineage query emission <what>`: the chain's economic health records and the emission schedule's
// projection, read over RPC (emission_health, emission_schedule) and printed as JSON.
import type { Command } from "commander";
import { invalidFlag, type QueryOptions, queryGroup, uintFlag } from "./wallet.ts";

type Print = (text: string) => void;

export function emissionQueryCommand(print: Print): Command {
  const { group, query, run, at } = queryGroup(
    "emission",
    "Read the economic health records and the emission schedule over RPC; prints JSON.",
    print,
  );
  query("health", "Health records of a range of epochs (default: the latest).")
    .option("--from <epoch>", "first epoch")
    .option("--to <epoch>", "last epoch (default: the latest)")
    .action(async (o: QueryOptions & { from?: string; to?: string }) => {
      const to = o.to === undefined ? undefined : uintFlag("--to", o.to);
      const from = o.from === undefined ? undefined : uintFlag("--from", o.from);
      if (from !== undefined && to !== undefined && to < from)
        invalidFlag("--to", `the range ends (${to}) before it starts (${from})`);
      await run(o.rpc, async (c) => {
        if (from !== undefined) return c.emission.health(from, to, at(o));
        // No --from: the latest record alone (or the one at --to).
        const latest = (await c.emission.health(0, 0, at(o))).latest;
        const epoch = to ?? latest;
        return epoch === null ? { items: [], latest } : c.emission.health(epoch, epoch, at(o));
      });
    });
  query("schedule", "The schedule projected over the next epochs at the current parameters.")
    .option("--count <n>", "epochs to project (1..1000)", "10")
    .action(async (o: QueryOptions & { count: string }) => {
      const count = uintFlag("--count", o.count, 1000);
      if (count === 0) invalidFlag("--count", "must be positive");
      await run(o.rpc, (c) => c.emission.schedule(count, at(o)));
    });
  return group;
}
