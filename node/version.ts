// The node's version as `system_version` and `substrate_build_info` report it.
import { readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
};

export const NODE_VERSION: string = pkg.version;
export const IMPLEMENTATION_NAME = "Lineage Node";
