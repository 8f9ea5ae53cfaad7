import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodePng, palettePng, type RgbImage } from "../../../sim/png-palette.ts";

function image(width: number, height: number, colour: (x: number, y: number) => number[]) {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rgb.set(colour(x, y), (y * width + x) * 3);
  }
  return { width, height, rgb } satisfies RgbImage;
}

describe("palettePng", () => {
  it("keeps an image of 256 colours or fewer exactly", () => {
    const source = image(16, 11, (x, y) => [x * 15, y * 23, x === y ? 255 : 0]); // 176 colours
    const png = palettePng(source);
    assert.equal(png[25], 3, "colour type: indexed");
    assert.deepEqual(decodePng(png), source);
  });

  it("maps a chart-like image of many colours to its nearest common ones", () => {
    // White, and five line colours blended into white at 100 strengths (anti-aliasing): 501 colours.
    const lines = [
      [0, 114, 178],
      [213, 94, 0],
      [0, 158, 115],
      [204, 121, 167],
      [0, 0, 0],
    ];
    const source = image(100, 100, (x, y) => {
      if (y >= 50) return [255, 255, 255];
      const a = x / 100;
      return lines[y % 5]!.map((c) => Math.round(c * a + 255 * (1 - a)));
    });
    const back = decodePng(palettePng(source));
    assert.equal(back.width, 100);
    assert.equal(back.height, 100);
    let total = 0;
    for (let i = 0; i < source.rgb.length; i++) {
      const error = Math.abs(source.rgb[i]! - back.rgb[i]!);
      assert.ok(error <= 12, `channel ${i} off by ${error}`);
      total += error;
    }
    assert.ok(total / source.rgb.length < 2);
    assert.deepEqual(back.rgb.subarray(-3), Uint8Array.of(255, 255, 255));
  });

  it("refuses what it cannot decode", () => {
    assert.throws(() => decodePng(Uint8Array.of(1, 2, 3)), /not a PNG/);
  });
});
