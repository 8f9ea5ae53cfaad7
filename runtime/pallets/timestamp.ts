// Timestamp: the block author sets the time once per block with an inherent; it must move forward
// by at least half a slot and agree with the block's slot.
import { messageType } from "../../primitives/codec.ts";
import { defineCall, fail, type Pallet } from "../pallet.ts";
import { storageValue, u64Value } from "../storage.ts";
import { storage as authorityStorage } from "./authorities.ts";

const NAME = "Timestamp";
const T = (name: string) => messageType("runtime.proto", `lineage.runtime.v1.${name}`);

export const storage = {
  now: storageValue(
    NAME,
    "Now",
    u64Value,
    0,
    "Milliseconds since the Unix epoch, set by the block's inherent",
  ),
  didUpdate: storageValue(
    NAME,
    "DidUpdate",
    u64Value,
    0,
    "1 once the current block has set the time",
  ),
};

export const timestamp: Pallet = {
  name: NAME,
  index: 1,
  storage: Object.values(storage).map((item) => item.info),
  calls: [
    defineCall<{ now: number }>({
      index: 0,
      name: "set",
      args: T("SetTimestampArgs"),
      origin: "none",
      dispatchClass: "mandatory",
      doc: "Inherent: the block's time in milliseconds",
      weight: () => 10_000_000n,
      handler(ctx, _origin, args) {
        if (storage.didUpdate.get(ctx.storage) === 1) throw fail(timestamp, "AlreadySet");
        const slotDuration = authorityStorage.slotDuration.get(ctx.storage);
        const previous = storage.now.get(ctx.storage);
        if (previous !== 0 && args.now < previous + Math.floor(slotDuration / 2)) {
          throw fail(
            timestamp,
            "TooEarly",
            `${args.now} < ${previous} + ${Math.floor(slotDuration / 2)}`,
          );
        }
        const slot = Math.floor(args.now / slotDuration);
        if (slot !== authorityStorage.currentSlot.get(ctx.storage)) {
          throw fail(timestamp, "SlotMismatch", `timestamp slot ${slot} is not the block's slot`);
        }
        storage.now.set(ctx.storage, args.now);
        storage.didUpdate.set(ctx.storage, 1);
      },
    }),
  ],
  events: [],
  errors: {
    AlreadySet: "the timestamp was already set in this block",
    TooEarly: "the timestamp must advance by at least half a slot",
    SlotMismatch: "the timestamp does not fall in the block's slot",
    NotSet: "the block did not set the timestamp",
  },
  onFinalize(ctx) {
    if (storage.didUpdate.get(ctx.storage) !== 1) throw fail(timestamp, "NotSet");
    storage.didUpdate.kill(ctx.storage);
  },
};
