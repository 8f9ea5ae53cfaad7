// Keys are walked four bits at a time, high nibble first, so that nibble order equals byte order
// and a byte prefix is a nibble prefix (the runtime iterates maps by prefix).

/** A nibble path: one nibble (0..15) per element. */
export type Nibbles = Uint8Array;

export function toNibbles(key: Uint8Array): Nibbles {
  const out = new Uint8Array(key.length * 2);
  for (let i = 0; i < key.length; i++) {
    out[2 * i] = key[i]! >> 4;
    out[2 * i + 1] = key[i]! & 0x0f;
  }
  return out;
}

/** Inverse of toNibbles; only called on full key paths, which always have even length. */
export function fromNibbles(nibbles: Nibbles): Uint8Array {
  const out = new Uint8Array(nibbles.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = (nibbles[2 * i]! << 4) | nibbles[2 * i + 1]!;
  return out;
}

/** Length of the common prefix of `a` and `b[offset..]`. */
export function commonPrefixLength(a: Nibbles, b: Nibbles, offset = 0): number {
  const n = Math.min(a.length, b.length - offset);
  let i = 0;
  while (i < n && a[i] === b[offset + i]) i++;
  return i;
}

export function concatNibbles(...parts: Nibbles[]): Nibbles {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function compareNibbles(a: Nibbles, b: Nibbles): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
