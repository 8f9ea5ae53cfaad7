// Sudo: one key that may dispatch any call with the root origin (development chains).

import { bytesEqual } from "../../primitives/bytes.ts";
import { messageType } from "../../primitives/codec.ts";
import { DispatchError } from "../errors.ts";
import { type CallData, defineCall, emit, ensureSigned, fail, type Pallet } from "../pallet.ts";
import { bytesValue, storageValue } from "../storage.ts";

const NAME = "Sudo";
const T = (name: string) => messageType("runtime.proto", `lineage.runtime.v1.${name}`);

export const storage = {
  key: storageValue(NAME, "Key", bytesValue, new Uint8Array(), "The sudo key (empty: none)"),
};

export const sudo: Pallet = {
  name: NAME,
  index: 5,
  storage: Object.values(storage).map((item) => item.info),
  calls: [
    defineCall<{ call: CallData }>({
      index: 0,
      name: "sudo",
      args: T("SudoArgs"),
      origin: "signed",
      doc: "Dispatches a call as root; the outcome is reported in the Sudid event",
      weight: (args, weigh) => 10_000_000n + weigh(args.call),
      handler(ctx, origin, args) {
        const who = ensureSigned(sudo, origin);
        if (!bytesEqual(who, storage.key.get(ctx.storage))) throw fail(sudo, "RequireSudo");
        try {
          ctx.transactional(() => ctx.dispatch(args.call, { kind: "root" }));
          emit(ctx, sudo, "Sudid", { ok: true, error: "" });
        } catch (error) {
          if (!(error instanceof DispatchError)) throw error;
          emit(ctx, sudo, "Sudid", { ok: false, error: error.code });
        }
      },
    }),
    defineCall<{ newKey: Uint8Array }>({
      index: 1,
      name: "setKey",
      args: T("SetKeyArgs"),
      origin: "signed",
      doc: "Hands the sudo key to another account",
      weight: () => 10_000_000n,
      handler(ctx, origin, args) {
        const who = ensureSigned(sudo, origin);
        if (!bytesEqual(who, storage.key.get(ctx.storage))) throw fail(sudo, "RequireSudo");
        if (args.newKey.length !== 32) throw fail(sudo, "InvalidKey");
        storage.key.set(ctx.storage, args.newKey);
        emit(ctx, sudo, "KeyChanged", { account: args.newKey });
      },
    }),
  ],
  events: [
    {
      index: 0,
      name: "Sudid",
      data: T("SudidEvent"),
      doc: "A sudo call was dispatched; `ok` tells the outcome",
    },
    { index: 1, name: "KeyChanged", data: T("AccountEvent"), doc: "The sudo key changed" },
  ],
  errors: {
    RequireSudo: "the sender is not the sudo key",
    InvalidKey: "not a 32-byte account id",
    BadOrigin: "bad origin",
  },
  genesis(s, config) {
    if (config.sudoKey) storage.key.set(s, config.sudoKey);
  },
};
