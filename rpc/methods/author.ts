// author_*: transaction submission and its status stream, and payment_queryInfo (which decodes an
// extrinsic the same way).

import * as v from "valibot";
import { extrinsicDecodeError } from "../errors.ts";
import type { MethodRegistry } from "../method-registry.ts";
import type { NodeApi } from "../node-api.ts";
import { isFinalTransactionStatus } from "../transaction-status.ts";
import { blockHash, extrinsicBytes, hexBytes, optional, params } from "./params.ts";

/** Substrate key types are four characters, e.g. `aura`, `gran`. */
const keyType = v.pipe(
  v.string(),
  v.regex(/^[\x21-\x7e]{4}$/, "a key type is 4 characters such as aura"),
);

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
    .method({
      name: "author_insertKey",
      params: params([keyType, v.pipe(v.string(), v.maxLength(1024)), hexBytes]),
      unsafe: true,
      handler: ([type, suri, publicKey]) => api.author.insertKey(type, suri, publicKey),
    })
    .method({
      name: "author_hasKey",
      params: params([hexBytes, keyType]),
      unsafe: true,
      handler: ([publicKey, type]) => api.author.hasKey(publicKey, type),
    })
    .method({
      name: "author_rotateKeys",
      params: params([]),
      unsafe: true,
      handler: () => api.author.rotateKeys(),
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
