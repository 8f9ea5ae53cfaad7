// The finality voter's record: the round it is in and its own votes there, so that a restart
// resumes that round (re-sending those votes) and never casts a different vote in it. Written
// durably (fsync of the file and its directory) before each vote is sent. Stamped with the genesis
// hash: a record of another chain is ignored. `purge-chain` deletes it with the database.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { decodeVote, encodeVote, type SignedVote } from "../consensus/finality.ts";
import { fromHex, toHex } from "../primitives/bytes.ts";

export interface VoterRecord {
  round: number;
  votes: SignedVote[];
}

export const VOTER_RECORD_FILE = "finality-round";

export function voterRecordPath(chainDirectory: string): string {
  return join(chainDirectory, VOTER_RECORD_FILE);
}

/** The record for `genesisHash`, or a fresh start in round 1 when there is none for this chain. */
export function readVoterRecord(path: string, genesisHash: Uint8Array): VoterRecord {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as {
      genesis?: unknown;
      round?: unknown;
      votes?: unknown;
    };
    if (
      parsed.genesis === toHex(genesisHash) &&
      Number.isSafeInteger(parsed.round) &&
      (parsed.round as number) >= 1 &&
      Array.isArray(parsed.votes)
    ) {
      const votes = parsed.votes.map((hex) => decodeVote(fromHex(String(hex))));
      return { round: parsed.round as number, votes };
    }
  } catch {
    // Missing or unreadable: as with no record at all.
  }
  return { round: 1, votes: [] };
}

export function writeVoterRecord(path: string, genesisHash: Uint8Array, record: VoterRecord): void {
  const temporary = `${path}.tmp`;
  const text = `${JSON.stringify({
    genesis: toHex(genesisHash),
    round: record.round,
    votes: record.votes.map((vote) => toHex(encodeVote(vote))),
  })}\n`;
  const fd = openSync(temporary, "w", 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  const dir = openSync(dirname(path), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
