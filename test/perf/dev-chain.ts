// The `dev` chain as the benchmark needs it: genesis from the built-in spec, committed to a fresh
// ChainStore on disk exactly as a node does it.
import { encodeBody, encodeHeader, headerHash } from "../../primitives/chain.ts";
import { devKeypair } from "../../primitives/dev-accounts.ts";
import { builtinChainSpec } from "../../runtime/chain-spec.ts";
import { genesisHeader, genesisStorage } from "../../runtime/genesis.ts";
import { ChainStore, type GenesisCommit } from "../../state/chain-store.ts";
import { EMPTY_ROOT } from "../../state/trie/node-codec.ts";
import { MemoryNodeSource } from "../../state/trie/node-source.ts";
import { trieState } from "../../state/trie-state.ts";

export interface DevGenesis {
  commit: GenesisCommit;
  genesisHash: Uint8Array;
  /** Seed of the dev spec's only authority (alice), which seals every block. */
  authorSeed: Uint8Array;
  slotDuration: number;
}

export function devGenesis(): DevGenesis {
  const spec = builtinChainSpec("dev");
  if (!spec || !("runtimeGenesis" in spec.genesis)) {
    throw new Error("the built-in dev chain spec is missing or raw");
  }
  const changes = genesisStorage(spec).map(([key, value]) => ({ key, value }));
  const trie = trieState(new MemoryNodeSource(), EMPTY_ROOT).applyChanges(changes);
  const header = genesisHeader(trie.root);
  const genesisHash = headerHash(header);
  return {
    commit: {
      hash: genesisHash,
      header: encodeHeader(header),
      body: encodeBody([]),
      stateRoot: trie.root,
      trie,
    },
    genesisHash,
    authorSeed: devKeypair("alice").secretKey,
    slotDuration: spec.genesis.runtimeGenesis.config.authorities.slotDuration,
  };
}

/** A new LevelDB-backed store at `path` holding only the dev genesis. */
export async function openDevStore(path: string, dev: DevGenesis): Promise<ChainStore> {
  const store = await ChainStore.open({ path }, { genesisHash: dev.genesisHash });
  await store.commitGenesis(dev.commit);
  return store;
}
