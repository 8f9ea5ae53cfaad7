// Which author_extrinsicUpdate statuses end the stream (Substrate: finalized, finalityTimeout,
// usurped, invalid, dropped). Shared by the server, which closes the subscription, and the client,
// which forgets it.
import type { RpcTransactionStatus } from "./node-api.ts";

export function isFinalTransactionStatus(status: RpcTransactionStatus): boolean {
  if (status === "invalid" || status === "dropped") return true;
  if (typeof status !== "object") return false;
  return "finalized" in status || "finalityTimeout" in status || "usurped" in status;
}
