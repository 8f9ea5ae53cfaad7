// Resolving `--chain`: a built-in id (`dev`, `local`) or a path to a chain spec JSON file. Every
// problem with the file is one readable line naming the file and, for a bad field, its path.
import { readFileSync, statSync } from "node:fs";
import { LineageError } from "../primitives/errors.ts";
import { builtinChainSpec, type ChainSpec, parseChainSpec } from "../runtime/chain-spec.ts";

/** Chain spec files larger than this are refused before parsing. */
export const MAX_CHAIN_SPEC_BYTES = 64 * 1024 * 1024;

export function loadChainSpec(chain: string): ChainSpec {
  const builtin = builtinChainSpec(chain);
  if (builtin) return builtin;
  let text: string;
  try {
    const size = statSync(chain).size;
    if (size > MAX_CHAIN_SPEC_BYTES) {
      throw new LineageError(
        "INVALID_CHAIN_SPEC",
        `${chain}: chain spec is ${size} bytes, more than ${MAX_CHAIN_SPEC_BYTES}`,
      );
    }
    text = readFileSync(chain, "utf8");
  } catch (error) {
    if (error instanceof LineageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new LineageError(
      "CHAIN_SPEC_NOT_FOUND",
      code === "ENOENT"
        ? `--chain ${chain}: not a built-in chain (dev, local) and no such file`
        : `--chain ${chain}: cannot read the file (${code ?? String(error)})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new LineageError(
      "INVALID_CHAIN_SPEC",
      `${chain}: not valid JSON (${(error as Error).message})`,
    );
  }
  try {
    return parseChainSpec(json);
  } catch (error) {
    if (error instanceof LineageError) {
      throw new LineageError(error.code, `${chain}: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
