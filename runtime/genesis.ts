// Genesis: the storage a chain spec describes, and the genesis header that commits to it.
import { fromHex } from "../primitives/bytes.ts";
import type { Header } from "../primitives/chain.ts";
import { StateOverlay } from "../state/overlay.ts";
import { EMPTY_ROOT } from "../state/trie/node-codec.ts";
import { MemoryNodeSource } from "../state/trie/node-source.ts";
import { trieState } from "../state/trie-state.ts";
import { type ChainSpec, genesisConfigOf } from "./chain-spec.ts";
import { buildGenesisState, checkInvariants, extrinsicsRoot } from "./executive.ts";

/** The genesis storage of a spec as sorted key/value pairs. */
export function genesisStorage(spec: ChainSpec): [Uint8Array, Uint8Array][] {
  const overlay = new StateOverlay(trieState(new MemoryNodeSource(), EMPTY_ROOT));
  if ("raw" in spec.genesis) {
    for (const [key, value] of Object.entries(spec.genesis.raw.top))
      overlay.set(fromHex(key), fromHex(value));
  } else {
    buildGenesisState(overlay, genesisConfigOf(spec));
  }
  checkInvariants(overlay);
  return overlay
    .changes()
    .filter((c) => c.value !== null)
    .map((c) => [c.key, c.value!]);
}

export function genesisHeader(stateRoot: Uint8Array): Header {
  return {
    parentHash: new Uint8Array(32),
    number: 0,
    stateRoot,
    extrinsicsRoot: extrinsicsRoot([]),
    digest: [],
  };
}
