// Labelled vectors: the file format of contributions and queries for vector methods (the digits'
// raw pixels, a perception model's embeddings). One file holds `count` records of one dimension:
//
//   "LVEC"        4 bytes, the magic
//   version       u8 = 1
//   element       u8: 1 = u8, 2 = i16 (big-endian, two's complement)
//   reserved      u16 = 0
//   dimension     u32be, 1 ..= 4096
//   count         u32be, 1 ..= 1,048,576
//   records       count × (label u16be ‖ dimension elements)
//
// Nothing may follow the last record. Elements are integers so that every distance is an exact
// integer below 2^53 (4096 · 65535² < 2^45): methods compute on them with no rounding at all.
import { MeasurementError } from "./errors.ts";

export const VECTOR_MAGIC = "LVEC";
export const VectorElement = { u8: 1, i16: 2 } as const;
export type VectorElement = (typeof VectorElement)[keyof typeof VectorElement];
export const MAX_DIMENSION = 4096;
export const MAX_RECORDS = 1 << 20;
const HEADER = 16;

export interface LabelledVectors {
  element: VectorElement;
  dimension: number;
  labels: Uint16Array;
  /** Row-major, `labels.length × dimension` elements. */
  values: Int32Array;
}

const formatError = (what: string) => new MeasurementError("MEASUREMENT_FORMAT", what);

export function encodeVectors(v: LabelledVectors): Uint8Array {
  const count = v.labels.length;
  const width = v.element === VectorElement.u8 ? 1 : 2;
  if (v.dimension < 1 || v.dimension > MAX_DIMENSION)
    throw formatError(`dimension ${v.dimension} outside 1..${MAX_DIMENSION}`);
  if (count < 1 || count > MAX_RECORDS)
    throw formatError(`${count} records outside 1..${MAX_RECORDS}`);
  if (v.values.length !== count * v.dimension)
    throw formatError(`${v.values.length} elements for ${count} records of ${v.dimension}`);
  const out = new Uint8Array(HEADER + count * (2 + v.dimension * width));
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(VECTOR_MAGIC), 0);
  view.setUint8(4, 1);
  view.setUint8(5, v.element);
  view.setUint32(8, v.dimension);
  view.setUint32(12, count);
  let at = HEADER;
  for (let r = 0; r < count; r++) {
    view.setUint16(at, v.labels[r]!);
    at += 2;
    for (let t = 0; t < v.dimension; t++) {
      const x = v.values[r * v.dimension + t]!;
      if (v.element === VectorElement.u8) {
        if (x < 0 || x > 255) throw formatError(`element ${x} is not a u8`);
        view.setUint8(at, x);
      } else {
        if (x < -32768 || x > 32767) throw formatError(`element ${x} is not an i16`);
        view.setInt16(at, x);
      }
      at += width;
    }
  }
  return out;
}

export function decodeVectors(bytes: Uint8Array, what = "vector file"): LabelledVectors {
  if (bytes.length < HEADER)
    throw formatError(`${what}: ${bytes.length} bytes is shorter than the header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = String.fromCharCode(bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!);
  if (magic !== VECTOR_MAGIC)
    throw formatError(`${what}: not a labelled-vector file (magic "${magic}")`);
  if (view.getUint8(4) !== 1)
    throw formatError(`${what}: format version ${view.getUint8(4)} is not 1`);
  const element = view.getUint8(5);
  if (element !== VectorElement.u8 && element !== VectorElement.i16)
    throw formatError(`${what}: element type ${element} is neither 1 (u8) nor 2 (i16)`);
  if (view.getUint16(6) !== 0) throw formatError(`${what}: reserved bytes are not zero`);
  const dimension = view.getUint32(8);
  const count = view.getUint32(12);
  if (dimension < 1 || dimension > MAX_DIMENSION)
    throw formatError(`${what}: dimension ${dimension} outside 1..${MAX_DIMENSION}`);
  if (count < 1 || count > MAX_RECORDS)
    throw formatError(`${what}: ${count} records outside 1..${MAX_RECORDS}`);
  const width = element === VectorElement.u8 ? 1 : 2;
  const expected = HEADER + count * (2 + dimension * width);
  if (bytes.length !== expected)
    throw formatError(
      `${what}: ${bytes.length} bytes, but ${count} records of ${dimension} take ${expected}`,
    );
  const labels = new Uint16Array(count);
  const values = new Int32Array(count * dimension);
  let at = HEADER;
  for (let r = 0; r < count; r++) {
    labels[r] = view.getUint16(at);
    at += 2;
    const row = r * dimension;
    if (element === VectorElement.u8) {
      for (let t = 0; t < dimension; t++) values[row + t] = bytes[at + t]!;
      at += dimension;
    } else {
      for (let t = 0; t < dimension; t++) values[row + t] = view.getInt16(at + 2 * t);
      at += 2 * dimension;
    }
  }
  return { element: element as VectorElement, dimension, labels, values };
}
