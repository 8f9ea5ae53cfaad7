// Which methods a server may serve. Substrate's `--rpc-methods auto` serves unsafe methods (keys,
// peers, logs) only when the listener is reachable from this machine alone.
import { isIP } from "node:net";

export type RpcMethodsMode = "safe" | "unsafe" | "auto";

export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (bare === "localhost" || bare === "::1") return true;
  if (isIP(bare) === 4) return bare.startsWith("127.");
  if (bare.toLowerCase().startsWith("::ffff:")) return isLoopbackHost(bare.slice(7));
  return false;
}

export function allowsUnsafeMethods(mode: RpcMethodsMode, listensOnLoopback: boolean): boolean {
  if (mode === "unsafe") return true;
  if (mode === "safe") return false;
  return listensOnLoopback;
}
