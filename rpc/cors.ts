// Browser origin check, as Substrate's `--rpc-cors`: a list of allowed origins where `*` is a
// wildcard (so `http://localhost:*` allows any port), or `all` to switch the check off. Requests
// without an Origin header are not from a browser page and are always allowed.

export type CorsSetting = readonly string[] | "all";

export type OriginCheck = (origin: string | undefined) => boolean;

export function createOriginCheck(setting: CorsSetting): OriginCheck {
  if (setting === "all" || setting.includes("*") || setting.includes("all")) return () => true;
  const patterns = setting.map(originPattern);
  return (origin) => origin === undefined || patterns.some((pattern) => pattern.test(origin));
}

function originPattern(allowed: string): RegExp {
  // A trailing ":*" also allows the origin without an explicit port.
  const portWildcard = allowed.endsWith(":*");
  const base = portWildcard ? allowed.slice(0, -2) : allowed;
  const body = base
    .split("*")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"))
    .join("[^/]*");
  return new RegExp(`^${body}${portWildcard ? "(:\\d+)?" : ""}$`, "i");
}
