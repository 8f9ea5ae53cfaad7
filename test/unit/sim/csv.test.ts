import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toCsv } from "../../../sim/csv.ts";

describe("toCsv", () => {
  it("writes a header and one CRLF-terminated line per row, in column order", () => {
    const csv = toCsv(
      ["epoch", "volume", "gini"],
      [
        { gini: 0.25, epoch: 1, volume: 10 },
        { epoch: 2, volume: 12.5, gini: 0.3 },
      ],
    );
    assert.equal(csv, "epoch,volume,gini\r\n1,10,0.25\r\n2,12.5,0.3\r\n");
  });

  it("writes null and absent values as empty cells", () => {
    const csv = toCsv(
      ["epoch", "emissionVolumeRatio", "retention"],
      [{ epoch: 1, emissionVolumeRatio: null }],
    );
    assert.equal(csv, "epoch,emissionVolumeRatio,retention\r\n1,,\r\n");
  });

  it("writes bigints and decimal strings digit for digit", () => {
    const planck = 340282366920938463463374607431768211455n;
    const csv = toCsv(
      ["emitted", "totalIssuance", "small"],
      [{ emitted: planck, totalIssuance: "1000000000000000000000001", small: -0 }],
    );
    assert.equal(
      csv,
      "emitted,totalIssuance,small\r\n340282366920938463463374607431768211455,1000000000000000000000001,0\r\n",
    );
  });

  it("writes numbers in their shortest exact form", () => {
    const csv = toCsv(["a", "b", "c"], [{ a: 0.1 + 0.2, b: 1e21, c: -1.5e-7 }]);
    assert.equal(csv, "a,b,c\r\n0.30000000000000004,1e+21,-1.5e-7\r\n");
    assert.equal(Number(csv.split("\r\n")[1]!.split(",")[0]), 0.1 + 0.2);
  });

  it("quotes fields holding commas, quotes or line breaks, doubling the quotes (RFC 4180)", () => {
    const csv = toCsv(
      ["label", "note, with comma"],
      [
        { label: 'k="500000"', "note, with comma": "line one\nline two" },
        { label: "plain", "note, with comma": "carriage\rreturn" },
      ],
    );
    assert.equal(
      csv,
      'label,"note, with comma"\r\n"k=""500000""","line one\nline two"\r\nplain,"carriage\rreturn"\r\n',
    );
  });

  it("writes only a header when there are no rows", () => {
    assert.equal(toCsv(["epoch", "volume"], []), "epoch,volume\r\n");
  });

  it("refuses a non-finite number rather than writing NaN or Infinity", () => {
    assert.throws(() => toCsv(["ratio"], [{ ratio: Number.NaN }]), /ratio: NaN is not a finite/);
    assert.throws(() => toCsv(["ratio"], [{ ratio: Number.POSITIVE_INFINITY }]), RangeError);
  });
});
