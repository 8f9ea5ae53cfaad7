import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Stage, signVote } from "../../../consensus/finality.ts";
import { readVoterRecord, voterRecordPath, writeVoterRecord } from "../../../node/voter-record.ts";
import { devKeypair } from "../../../primitives/dev-accounts.ts";

const dir = mkdtempSync(join(tmpdir(), "lineage-voter-record-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("voter record", () => {
  const genesis = new Uint8Array(32).fill(1);
  const path = voterRecordPath(dir);

  it("starts in round 1 without a record", () => {
    assert.deepEqual(readVoterRecord(path, genesis), { round: 1, votes: [] });
  });

  it("gives back the round and the votes written, for the same chain only", () => {
    const vote = signVote(
      devKeypair("alice"),
      { genesisHash: genesis, setId: 0, round: 7 },
      Stage.prevote,
      { hash: new Uint8Array(32).fill(2), number: 3 },
    );
    writeVoterRecord(path, genesis, { round: 7, votes: [vote] });
    assert.deepEqual(readVoterRecord(path, genesis), { round: 7, votes: [{ ...vote, resend: 0 }] });
    assert.deepEqual(readVoterRecord(path, new Uint8Array(32).fill(9)), { round: 1, votes: [] });
  });

  it("treats an unreadable record as none", () => {
    writeFileSync(path, "{ not json");
    assert.deepEqual(readVoterRecord(path, genesis), { round: 1, votes: [] });
    writeFileSync(path, JSON.stringify({ genesis: "0x01", round: -3, votes: [] }));
    assert.deepEqual(readVoterRecord(path, genesis), { round: 1, votes: [] });
  });
});
