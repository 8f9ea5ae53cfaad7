import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toHex } from "../../../primitives/bytes.ts";
import { runtimeMetadata } from "../../../runtime/metadata.ts";
import { storage as balancesStorage } from "../../../runtime/pallets/balances.ts";
import { storage as systemStorage } from "../../../runtime/pallets/system.ts";
import { PALLETS, RUNTIME_VERSION } from "../../../runtime/runtime.ts";
import { encodeCall } from "../../../runtime/signing.ts";
import { itemPrefix } from "../../../runtime/storage.ts";

interface FieldMeta {
  name: string;
  id: number;
  type: string;
  repeated: boolean;
}

interface Metadata {
  magic: string;
  version: number;
  runtime: typeof RUNTIME_VERSION;
  pallets: {
    name: string;
    index: number;
    storage: { name: string; kind: string; value: string; prefix: string; doc: string }[];
    calls: {
      name: string;
      index: number;
      args: string;
      origin: string;
      class: string;
      doc: string;
    }[];
    events: { name: string; index: number; data: string; doc: string }[];
    errors: { name: string; message: string }[];
  }[];
  types: Record<string, FieldMeta[]>;
}

// As served over RPC: through JSON.
const metadata = JSON.parse(JSON.stringify(runtimeMetadata())) as Metadata;
const typeName = (t: { fullName: string }) => t.fullName.replace(/^\./, "");

/** Pallet and call indices are part of every signed transaction: they must never move. */
const STABLE_INDICES = {
  System: [0, []],
  Timestamp: [1, ["set"]],
  Balances: [2, ["transfer", "transferKeepAlive", "forceSetBalance"]],
  TransactionPayment: [3, []],
  Authorities: [4, ["setAuthorities"]],
  Sudo: [5, ["sudo", "setKey"]],
  Params: [6, ["setParam"]],
  Registry: [
    7,
    [
      "createDatanet",
      "updateMetadata",
      "setLicence",
      "setCurators",
      "transferOwnership",
      "closeDatanet",
      "submitContribution",
      "withdrawContribution",
      "acceptContribution",
      "rejectContribution",
      "challenge",
      "resolveChallenge",
      "forceResolveChallenge",
      "publishVersion",
      "bondCurator",
      "unbondCurator",
      "topUpDeposit",
      "appealRejection",
      "resolveAppeal",
      "forceResolveAppeal",
    ],
  ],
  Attribution: [
    8,
    [
      "registerModel",
      "updateModel",
      "retireModel",
      "purchaseLicence",
      "payInference",
      "claim",
      "noteSlash",
      "claimMeasured",
      "registerMethod",
      "retireMethod",
    ],
  ],
  Emission: [9, []],
  Council: [10, ["propose", "approve", "cancel", "setMembers"]],
  Attestation: [
    11,
    [
      "bond",
      "unbond",
      "withdraw",
      "submitQueryLog",
      "commitReport",
      "revealReport",
      "dispute",
      "resolveByCouncil",
    ],
  ],
} as const;

describe("runtime metadata", () => {
  it("identifies itself and the runtime version", () => {
    assert.equal(metadata.magic, "lineage-metadata");
    assert.equal(metadata.version, 1);
    assert.deepEqual(metadata.runtime, RUNTIME_VERSION);
  });

  it("lists every pallet of the runtime, in order, with its index", () => {
    assert.deepEqual(
      metadata.pallets.map((p) => [p.name, p.index]),
      PALLETS.map((p) => [p.name, p.index]),
    );
    assert.equal(new Set(PALLETS.map((p) => p.index)).size, PALLETS.length);
  });

  it("keeps pallet and call indices stable", () => {
    const actual = Object.fromEntries(
      metadata.pallets.map((p) => [
        p.name,
        [p.index, [...p.calls].sort((a, b) => a.index - b.index).map((c) => c.name)],
      ]),
    );
    assert.deepEqual(actual, STABLE_INDICES);
    for (const pallet of metadata.pallets) {
      pallet.calls.forEach((c, i) => {
        assert.equal(c.index, i, `${pallet.name}.${c.name}`);
      });
    }
  });

  it("is generated from the pallet declarations: calls, storage, events, errors", () => {
    for (const [i, pallet] of PALLETS.entries()) {
      const meta = metadata.pallets[i]!;
      assert.deepEqual(
        meta.calls,
        pallet.calls.map((c) => ({
          name: c.name,
          index: c.index,
          args: typeName(c.args),
          origin: c.origin,
          class: c.dispatchClass ?? "normal",
          doc: c.doc,
        })),
      );
      assert.deepEqual(
        meta.storage.map(({ prefix: _, ...info }) => info),
        JSON.parse(JSON.stringify(pallet.storage)),
      );
      for (const item of meta.storage) {
        assert.equal(item.prefix, toHex(itemPrefix(pallet.name, item.name)));
      }
      assert.deepEqual(
        meta.events,
        pallet.events.map((e) => ({
          name: e.name,
          index: e.index,
          data: typeName(e.data),
          doc: e.doc,
        })),
      );
      assert.deepEqual(
        meta.errors,
        Object.entries(pallet.errors).map(([name, message]) => ({ name, message })),
      );
      assert.equal(new Set(pallet.events.map((e) => e.index)).size, pallet.events.length);
      assert.equal(new Set(pallet.calls.map((c) => c.index)).size, pallet.calls.length);
    }
  });

  it("storage prefixes are the keys the runtime actually uses", () => {
    const balances = metadata.pallets.find((p) => p.name === "Balances")!;
    const issuance = balances.storage.find((s) => s.name === "TotalIssuance")!;
    assert.equal(issuance.prefix, toHex(balancesStorage.totalIssuance.key));
    const system = metadata.pallets.find((p) => p.name === "System")!;
    const account = system.storage.find((s) => s.name === "Account")!;
    assert.equal(account.prefix, toHex(systemStorage.account.prefix));
    assert.equal(account.kind, "map");
  });

  it("describes every argument and event type a client needs, transitively", () => {
    const referenced = metadata.pallets.flatMap((p) => [
      ...p.calls.map((c) => c.args),
      ...p.events.map((e) => e.data),
    ]);
    for (const name of referenced) assert.ok(metadata.types[name], `missing type ${name}`);
    for (const [name, fields] of Object.entries(metadata.types)) {
      for (const field of fields) {
        if (field.type.includes("."))
          assert.ok(metadata.types[field.type], `${name}.${field.name}`);
      }
    }
    assert.deepEqual(
      metadata.types["lineage.runtime.v1.TransferArgs"]!.map((f) => [f.name, f.id, f.type]),
      [
        ["dest", 1, "bytes"],
        ["value", 2, "bytes"],
      ],
    );
    // Sudo's argument embeds a call: its type is described too.
    assert.ok(metadata.types["lineage.v1.Call"]);
    const types = Object.keys(metadata.types);
    assert.deepEqual(types, [...types].sort());
  });

  it("is enough to address a call: the metadata's indices are what encodeCall uses", () => {
    for (const pallet of metadata.pallets) {
      for (const call of pallet.calls) {
        if (call.name === "sudo") continue; // needs an inner call to encode
        const encoded = encodeCall(`${pallet.name}.${call.name}`, {});
        assert.deepEqual([encoded.pallet, encoded.call], [pallet.index, call.index]);
      }
    }
  });
});
