// A base path the node cannot use stops it with one line and a stable code before anything
// starts, not a raw ENOTDIR or EACCES.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { prepareBasePath } from "../../../node/service.ts";
import { LineageError } from "../../../primitives/errors.ts";

const refused = (base: string, why: RegExp) =>
  assert.throws(
    () => prepareBasePath(base, join(base, "chains", "dev")),
    (error) => {
      assert.ok(error instanceof LineageError);
      assert.equal(error.code, "BASE_PATH_UNUSABLE");
      assert.match(error.message, why);
      assert.match(error.message, /choose another --base-path$/);
      assert.doesNotMatch(error.message, /\n/);
      return true;
    },
  );

describe("prepareBasePath", () => {
  it("creates the chain directory under a usable base path", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lineage-base-"));
    try {
      prepareBasePath(dir, join(dir, "chains", "dev"));
      prepareBasePath(dir, join(dir, "chains", "dev")); // and again: it exists
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses a base path that is a file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lineage-base-"));
    try {
      const file = join(dir, "not-a-dir");
      await writeFile(file, "x");
      refused(file, /a file is in the way/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses a base path on a read-only file system", () => {
    refused("/sys/lineage-test", /cannot be written by this user/);
  });
});
