// author_*: transaction submission and its status stream, and payment_queryInfo (which decodes an
// extrinsic the same way).
import { extrinsicDecodeError } from "../errors.ts";
import type { MethodRegistry } from "../method-registry.ts";
import type { NodeApi } from "../node-api.ts";
import { isFinalTransactionStatus } from "../transaction-status.ts";
import { blockHash, extrinsicBytes, optional, params } from "./params.ts";

async function asAuthor<T>(call: () => T | Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw extrinsicDecodeError(error, "author");
  }
}

export function registerAuthorMethods(registry: MethodRegistry, api: NodeApi): void {
  registry
    .method({
      name: "author_submitExtrinsic",
      params: params([extrinsicBytes]),
      handler: ([extrinsic]) => asAuthor(() => api.author.submitExtrinsic(extrinsic)),
    })
    .method({
      name: "author_pendingExtrinsics",
      params: params([]),
      handler: () => api.author.pendingExtrinsics(),
    })
    .subscription({
      subscribe: "author_submitAndWatchExtrinsic",
      unsubscribe: "author_unwatchExtrinsic",
      notification: "author_extrinsicUpdate",
      params: params([extrinsicBytes]),
      // A transaction the pool refuses rejects the subscription with its error (1010, 1012, ...).
      start: ([extrinsic], emit, end) =>
        asAuthor(() =>
          api.author.submitAndWatchExtrinsic(extrinsic, (status) => {
            emit(status);
            if (isFinalTransactionStatus(status)) end();
          }),
        ),
    });
}

export function registerPaymentMethods(registry: MethodRegistry, api: NodeApi): void {
  registry.method({
    name: "payment_queryInfo",
    params: params([extrinsicBytes, optional(blockHash)]),
    handler: ([extrinsic, at]) => {
      try {
        return api.payment.queryInfo(extrinsic, at);
      } catch (error) {
        throw extrinsicDecodeError(error, "payment");
      }
    },
  });
}
