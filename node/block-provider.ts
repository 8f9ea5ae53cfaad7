// The node's chain as the network serves it to peers: its status and stored blocks with their
// bodies and justifications.
import type { ChainStore } from "../state/chain-store.ts";
import type { BlockData, BlockProvider, Role } from "./network/index.ts";

function blockData(store: ChainStore, hash: Uint8Array): BlockData | undefined {
  const header = store.getHeader(hash);
  const body = store.getBody(hash);
  if (!header || !body) return undefined;
  const justification = store.getJustification(hash);
  return justification ? { hash, header, body, justification } : { hash, header, body };
}

export function chainProvider(
  store: ChainStore,
  genesisHash: Uint8Array,
  roles: Role,
): BlockProvider {
  return {
    status: () => ({ genesisHash, best: store.best(), finalized: store.finalized(), roles }),
    byNumberRange(from, count) {
      const blocks: BlockData[] = [];
      for (let n = from; n < from + count; n++) {
        const hash = store.getCanonicalHash(n);
        const block = hash && blockData(store, hash);
        if (!block) break;
        blocks.push(block);
      }
      return blocks;
    },
    byHash(hash, count) {
      const blocks: BlockData[] = [];
      let cursor: Uint8Array | undefined = hash;
      while (cursor && blocks.length < count) {
        const block = blockData(store, cursor);
        if (!block) break;
        blocks.push(block);
        const meta = store.getBlockMeta(cursor);
        if (!meta || meta.number === 0) break;
        cursor = meta.parentHash;
      }
      return blocks;
    },
  };
}
