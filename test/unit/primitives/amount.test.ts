import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  assertU128,
  checkedAdd,
  checkedDiv,
  checkedMul,
  checkedSub,
  formatLin,
  mulDivFloor,
  parseLin,
  saturatingSub,
  U128_MAX,
  UNIT,
  u128FromBytes,
  u128ToBytes,
} from "../../../primitives/amount.ts";

const u128 = () => fc.bigInt({ min: 0n, max: U128_MAX });
// Small and huge values both matter: overflow lives near the top, formatting near the bottom.
const amount = () => fc.oneof(u128(), fc.bigInt({ min: 0n, max: 10n ** 15n }));

describe("u128 checked arithmetic", () => {
  it("matches exact arithmetic or throws the right code", () => {
    fc.assert(
      fc.property(amount(), amount(), (a, b) => {
        if (a + b > U128_MAX) assert.throws(() => checkedAdd(a, b), { code: "OVERFLOW" });
        else assert.equal(checkedAdd(a, b), a + b);
        if (a < b) assert.throws(() => checkedSub(a, b), { code: "UNDERFLOW" });
        else assert.equal(checkedSub(a, b), a - b);
        if (a * b > U128_MAX) assert.throws(() => checkedMul(a, b), { code: "OVERFLOW" });
        else assert.equal(checkedMul(a, b), a * b);
        if (b === 0n) assert.throws(() => checkedDiv(a, b), { code: "DIVISION_BY_ZERO" });
        else assert.equal(checkedDiv(a, b), a / b);
        assert.equal(saturatingSub(a, b), a > b ? a - b : 0n);
      }),
      { numRuns: 500 },
    );
  });

  it("mulDivFloor is exact through an intermediate above u128", () => {
    fc.assert(
      fc.property(amount(), amount(), amount(), (a, b, c) => {
        if (c === 0n)
          return assert.throws(() => mulDivFloor(a, b, c), { code: "DIVISION_BY_ZERO" });
        const exact = (a * b) / c;
        if (exact > U128_MAX) assert.throws(() => mulDivFloor(a, b, c), { code: "OVERFLOW" });
        else assert.equal(mulDivFloor(a, b, c), exact);
      }),
      { numRuns: 500 },
    );
    assert.equal(mulDivFloor(U128_MAX, U128_MAX, U128_MAX), U128_MAX);
  });

  it("refuses operands outside u128", () => {
    assert.throws(() => assertU128(-1n), { code: "UNDERFLOW" });
    assert.throws(() => assertU128(U128_MAX + 1n), { code: "OVERFLOW" });
    assert.throws(() => assertU128(1 as unknown as bigint), { code: "INVALID_AMOUNT" });
    assert.throws(() => checkedAdd(-1n, 5n), { code: "UNDERFLOW" });
    assert.throws(() => checkedSub(U128_MAX + 1n, 1n), { code: "OVERFLOW" });
    assert.equal(checkedAdd(U128_MAX, 0n), U128_MAX);
    assert.throws(() => checkedAdd(U128_MAX, 1n), { code: "OVERFLOW" });
  });
});

describe("LIN text", () => {
  it("parses and formats exactly", () => {
    assert.equal(parseLin("1.5"), 1_500_000_000_000n);
    assert.equal(parseLin("0"), 0n);
    assert.equal(parseLin(" 2 LIN "), 2n * UNIT);
    assert.equal(parseLin("0.000000000001"), 1n);
    assert.equal(formatLin(1_500_000_000_000n), "1.5 LIN");
    assert.equal(formatLin(0n), "0 LIN");
    assert.equal(formatLin(1n), "0.000000000001 LIN");
    assert.equal(formatLin(1000n * UNIT), "1000 LIN");
  });

  it("refuses junk, signs and too many decimals", () => {
    for (const bad of ["", "-1", "+1", "1.", ".5", "1e3", "1,5", "1_000", "0x10", "abc", "1.2.3"]) {
      assert.throws(() => parseLin(bad), { code: "INVALID_AMOUNT" }, bad);
    }
    assert.throws(() => parseLin("0.0000000000001"), { code: "INVALID_AMOUNT" });
    assert.throws(() => parseLin(`${U128_MAX}`), { code: "OVERFLOW" });
  });

  it("round-trips every amount", () => {
    fc.assert(
      fc.property(amount(), (planck) => {
        assert.equal(parseLin(formatLin(planck)), planck);
      }),
      { numRuns: 500 },
    );
  });
});

describe("u128 bytes", () => {
  it("uses minimal big-endian bytes, zero as empty", () => {
    assert.deepEqual(u128ToBytes(0n), new Uint8Array());
    assert.deepEqual(u128ToBytes(1n), Uint8Array.of(1));
    assert.deepEqual(u128ToBytes(256n), Uint8Array.of(1, 0));
    assert.deepEqual(u128ToBytes(U128_MAX), new Uint8Array(16).fill(0xff));
    assert.equal(u128FromBytes(new Uint8Array()), 0n);
  });

  it("round-trips and rejects non-canonical or oversize bytes", () => {
    fc.assert(
      fc.property(amount(), (value) => {
        const bytes = u128ToBytes(value);
        assert.equal(u128FromBytes(bytes), value);
        assert.ok(bytes.length <= 16 && bytes[0] !== 0);
        assert.throws(() => u128FromBytes(Uint8Array.of(0, ...bytes)), {
          code: bytes.length === 16 ? "OVERSIZE" : "NON_CANONICAL",
        });
      }),
      { numRuns: 500 },
    );
    assert.throws(() => u128FromBytes(Uint8Array.of(0)), { code: "NON_CANONICAL" });
    assert.throws(() => u128FromBytes(new Uint8Array(17).fill(1)), { code: "OVERSIZE" });
  });

  it("decodes arbitrary bytes to a canonical value or a typed error", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20 }), (bytes) => {
        try {
          assert.deepEqual(u128ToBytes(u128FromBytes(bytes)), bytes);
        } catch (error) {
          assert.ok(["OVERSIZE", "NON_CANONICAL"].includes((error as { code: string }).code));
        }
      }),
    );
  });
});
