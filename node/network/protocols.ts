// Names on the wire. Every protocol id and gossip topic carries the first 8 hex characters of the
// genesis hash, so nodes of different chains never even negotiate a stream with each other, and a
// version number, bumped when the message format changes (the encoding is always protobuf).
import { toHex } from "../../primitives/bytes.ts";

export const GOSSIP_TOPICS = ["blocks", "transactions", "finality"] as const;
export type GossipTopic = (typeof GOSSIP_TOPICS)[number];

export interface ProtocolIds {
  readonly status: string;
  readonly blocks: string;
  /** Gossipsub topic strings by topic name. */
  readonly topics: Readonly<Record<GossipTopic, string>>;
}

/** The 8 hex characters (4 bytes) of the genesis hash used in protocol names. */
export function genesisPrefix(genesisHash: Uint8Array): string {
  return toHex(genesisHash).slice(2, 10);
}

export function protocolIds(genesisHash: Uint8Array): ProtocolIds {
  const base = `/lineage/${genesisPrefix(genesisHash)}`;
  return {
    status: `${base}/status/1`,
    blocks: `${base}/blocks/1`,
    topics: {
      blocks: `${base}/blocks/1`,
      transactions: `${base}/transactions/1`,
      finality: `${base}/finality/1`,
    },
  };
}
