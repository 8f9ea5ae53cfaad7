// Shrinks a screenshot for the docs: decodes an 8-bit RGB or RGBA PNG, reduces it to the 256 most
// common colours (each pixel mapped to the nearest of them) and writes an indexed PNG. A chart
// page is mostly white, a few greys and a handful of line colours, so this keeps it readable at a
// third of the size. Plain zlib and arithmetic: no image library is installed, and none is needed.
import { crc32, deflateSync, inflateSync } from "node:zlib";

export interface RgbImage {
  width: number;
  height: number;
  /** Three bytes per pixel, row by row. */
  rgb: Uint8Array;
}

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/** Decodes a non-interlaced 8-bit PNG (RGB, RGBA or indexed) to RGB; alpha is dropped. */
export function decodePng(png: Uint8Array): RgbImage {
  const bytes = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (!bytes.subarray(0, 8).equals(SIGNATURE)) throw new Error("not a PNG");
  let offset = 8;
  let header: Buffer | undefined;
  let palette: Buffer | undefined;
  const data: Buffer[] = [];
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString("latin1", offset + 4, offset + 8);
    const body = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === "IHDR") header = body;
    else if (type === "PLTE") palette = body;
    else if (type === "IDAT") data.push(body);
    offset += 12 + length;
  }
  if (!header) throw new Error("PNG without IHDR");
  const width = header.readUInt32BE(0);
  const height = header.readUInt32BE(4);
  const [depth, colourType, , , interlace] = [
    header[8],
    header[9],
    header[10],
    header[11],
    header[12],
  ];
  const channels = colourType === 2 ? 3 : colourType === 6 ? 4 : colourType === 3 ? 1 : 0;
  if (depth !== 8 || channels === 0 || interlace !== 0 || (colourType === 3 && !palette)) {
    throw new Error(
      `unsupported PNG (depth ${depth}, colour type ${colourType}, interlace ${interlace})`,
    );
  }
  const pixels = unfilter(inflateSync(Buffer.concat(data)), width, height, channels);
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    if (channels === 1) {
      const i = pixels[p]! * 3;
      rgb.set(palette!.subarray(i, i + 3), p * 3);
    } else {
      rgb.set(pixels.subarray(p * channels, p * channels + 3), p * 3);
    }
  }
  return { width, height, rgb };
}

/** Undoes PNG's per-row filters (none, sub, up, average, Paeth). */
function unfilter(raw: Uint8Array, width: number, height: number, bpp: number): Uint8Array {
  const stride = width * bpp;
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? out[row + x - bpp]! : 0;
      const b = y > 0 ? out[row - stride + x]! : 0;
      const c = x >= bpp && y > 0 ? out[row - stride + x - bpp]! : 0;
      let predictor: number;
      if (filter === 0) predictor = 0;
      else if (filter === 1) predictor = a;
      else if (filter === 2) predictor = b;
      else if (filter === 3) predictor = (a + b) >> 1;
      else if (filter === 4) predictor = paeth(a, b, c);
      else throw new Error(`bad PNG filter ${filter} in row ${y}`);
      out[row + x] = (line[x]! + predictor) & 255;
    }
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** The key of a colour's bucket: 5 bits a channel. */
const bucket = (r: number, g: number, b: number) => ((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3);

/**
 * The image as an indexed PNG of at most 256 colours: the most common colour buckets (5 bits a
 * channel, each represented by the mean of its pixels), every pixel mapped to the nearest one.
 */
export function palettePng(image: RgbImage): Uint8Array {
  const { width, height, rgb } = image;
  const exact = exactPalette(rgb);
  if (exact)
    return encodeIndexed(width, height, exact.palette, (p) => exact.index.get(colourAt(rgb, p))!);
  const count = new Uint32Array(32768);
  const sums = new Float64Array(32768 * 3);
  for (let i = 0; i < rgb.length; i += 3) {
    const key = bucket(rgb[i]!, rgb[i + 1]!, rgb[i + 2]!);
    count[key]!++;
    sums[key * 3]! += rgb[i]!;
    sums[key * 3 + 1]! += rgb[i + 1]!;
    sums[key * 3 + 2]! += rgb[i + 2]!;
  }
  const used = [...count.keys()].filter((key) => count[key]! > 0);
  const chosen = used.sort((x, y) => count[y]! - count[x]! || x - y).slice(0, 256);
  const palette = new Uint8Array(chosen.length * 3);
  chosen.forEach((key, i) => {
    for (let c = 0; c < 3; c++) palette[i * 3 + c] = Math.round(sums[key * 3 + c]! / count[key]!);
  });
  const indexOf = new Int16Array(32768).fill(-1);
  for (const key of used) {
    const r = sums[key * 3]! / count[key]!;
    const g = sums[key * 3 + 1]! / count[key]!;
    const b = sums[key * 3 + 2]! / count[key]!;
    let best = 0;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (let i = 0; i < chosen.length; i++) {
      const d =
        (palette[i * 3]! - r) ** 2 +
        (palette[i * 3 + 1]! - g) ** 2 +
        (palette[i * 3 + 2]! - b) ** 2;
      if (d < bestDistance) {
        bestDistance = d;
        best = i;
      }
    }
    indexOf[key] = best;
  }
  return encodeIndexed(width, height, palette, (p) => {
    const i = p * 3;
    return indexOf[bucket(rgb[i]!, rgb[i + 1]!, rgb[i + 2]!)]!;
  });
}

const colourAt = (rgb: Uint8Array, p: number) =>
  (rgb[p * 3]! << 16) | (rgb[p * 3 + 1]! << 8) | rgb[p * 3 + 2]!;

/** The image's own colours as a palette, when there are no more than 256 of them. */
function exactPalette(rgb: Uint8Array): { palette: Uint8Array; index: Map<number, number> } | null {
  const index = new Map<number, number>();
  for (let p = 0; p < rgb.length / 3; p++) {
    const colour = colourAt(rgb, p);
    if (index.has(colour)) continue;
    if (index.size === 256) return null;
    index.set(colour, index.size);
  }
  const palette = new Uint8Array(index.size * 3);
  for (const [colour, i] of index)
    palette.set([colour >> 16, (colour >> 8) & 255, colour & 255], i * 3);
  return { palette, index };
}

function encodeIndexed(
  width: number,
  height: number,
  palette: Uint8Array,
  indexAt: (pixel: number) => number,
): Uint8Array {
  const rows = new Uint8Array(height * (width + 1)); // each row: filter 0, then indices
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rows[y * (width + 1) + 1 + x] = indexAt(y * width + x);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 3, 0, 0, 0], 8);
  return Buffer.concat([
    SIGNATURE,
    chunk("IHDR", header),
    chunk("PLTE", palette),
    chunk("IDAT", deflateSync(rows, { level: 9 })),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

function chunk(type: string, body: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(body.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
  return Buffer.concat([head, body, crc]);
}
