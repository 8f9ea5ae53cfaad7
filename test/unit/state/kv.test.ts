// Opening LevelDB on disk: a database another process (or handle) holds, and one whose files are
// missing, fail with a stable code and the cause, never a bare "Database failed to open".
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { StateError } from "../../../state/errors.ts";
import { Kv } from "../../../state/kv.ts";

describe("Kv.openDisk", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "lineage-kv-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("names a lock held by another handle", async () => {
    const first = await Kv.openDisk(dir);
    try {
      await assert.rejects(Kv.openDisk(dir), (error) => {
        assert.ok(error instanceof StateError);
        assert.equal(error.code, "DATABASE_LOCKED");
        assert.match(error.message, /in use by another process.*--base-path/);
        return true;
      });
    } finally {
      await first.close();
    }
    // Released: it opens again.
    await (await Kv.openDisk(dir)).close();
  });

  it("gives the cause and the remedy when the manifest is missing", async () => {
    await (await Kv.openDisk(dir)).close();
    const manifests = (await readdir(dir)).filter((f) => f.startsWith("MANIFEST-"));
    assert.ok(manifests.length > 0, "LevelDB wrote a manifest");
    for (const f of manifests) await unlink(join(dir, f));
    await assert.rejects(Kv.openDisk(dir), (error) => {
      assert.ok(error instanceof StateError, String(error));
      assert.equal(error.code, "DATABASE_OPEN_FAILED");
      assert.match(error.message, /cannot be opened: .*MANIFEST.*; if its files are damaged/);
      return true;
    });
  });
});
