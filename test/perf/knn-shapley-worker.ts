// One valuation thread of KnnShapleyWorkers: values the points it is sent against its share of
// the queries and replies with the per-point sums (knn-shapley-workers.ts).
import { parentPort } from "node:worker_threads";
import { type ValuationReply, type ValuationTask, valuePoints } from "./knn-shapley-workers.ts";

parentPort?.on("message", (task: ValuationTask) => {
  let reply: ValuationReply;
  try {
    reply = { id: task.id, sums: valuePoints(task.k, task, task.queries) };
  } catch (error) {
    reply = { id: task.id, error: (error as Error).message };
  }
  parentPort?.postMessage(reply, "error" in reply ? [] : [reply.sums.buffer]);
});
parentPort?.postMessage("ready");
