// Reading blocks back from the store as decoded objects, for consensus and the node.
import { bytesEqual } from "../primitives/bytes.ts";
import { type Block, decodeBody, decodeHeader, type Header } from "../primitives/chain.ts";
import type { ChainStore } from "../state/chain-store.ts";

export function headerOf(store: ChainStore, hash: Uint8Array): Header | undefined {
  const bytes = store.getHeader(hash);
  return bytes ? decodeHeader(bytes) : undefined;
}

export function blockOf(store: ChainStore, hash: Uint8Array): Block | undefined {
  const header = headerOf(store, hash);
  const body = store.getBody(hash);
  return header && body ? { header, extrinsics: decodeBody(body) } : undefined;
}

/** Whether `hash` descends from (or is) `ancestor`, walking parent links back to its height. */
export function descendsFrom(
  store: ChainStore,
  hash: Uint8Array,
  ancestor: { hash: Uint8Array; number: number },
): boolean {
  let cursor = hash;
  for (;;) {
    const meta = store.getBlockMeta(cursor);
    if (!meta) return false;
    if (meta.number === ancestor.number) return bytesEqual(cursor, ancestor.hash);
    if (meta.number < ancestor.number) return false;
    cursor = meta.parentHash;
  }
}
