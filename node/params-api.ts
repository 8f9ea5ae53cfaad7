// params_* and council_* answers: every runtime parameter with its bounds, the council's open
// proposals (parameter changes decoded, other calls named) and its membership, read from a
// block's state and turned into JSON (values as decimal strings, accounts as SS58).
import { u128FromBytes } from "../primitives/amount.ts";
import { ss58Encode } from "../primitives/ss58.ts";
import type { Hex, NodeApi, RpcProposal } from "../rpc/node-api.ts";
import type { CallData } from "../runtime/pallet.ts";
import {
  councilMembers,
  councilThreshold,
  openProposals,
  type Proposal,
  ProposalStatus,
} from "../runtime/pallets/council.ts";
import { isParamName, PARAMS, type ParamName, param } from "../runtime/pallets/params.ts";
import { resolveCall } from "../runtime/runtime.ts";
import type { StorageScan } from "../runtime/storage.ts";
import { decodeCall } from "../runtime/transaction.ts";

/** `Pallet.call` of a call, and its setParam arguments when it is one. */
function describeCall(call: CallData): {
  name: string;
  setParam?: { name: string; value: bigint };
} {
  const resolved = resolveCall(call);
  if (!resolved) return { name: `${call.pallet}.${call.call}` };
  const name = `${resolved.pallet.name}.${resolved.def.name}`;
  if (name !== "Params.setParam") return { name };
  try {
    const args = decodeCall(call).args as { name: string; value: Uint8Array };
    return { name, setParam: { name: args.name, value: u128FromBytes(args.value) } };
  } catch {
    return { name };
  }
}

export function paramsApi(
  stateAt: (at: Hex | undefined) => StorageScan,
  ss58Prefix: number,
): NodeApi["params"] {
  const address = (who: Uint8Array) => ss58Encode(who, ss58Prefix);
  const proposalJson = (s: StorageScan, id: number, p: Proposal, threshold: number) => {
    const call = describeCall(p.call);
    const change = call.setParam;
    const current = change && isParamName(change.name) ? param(s, change.name).toString() : null;
    const json: RpcProposal = {
      id,
      call: call.name,
      name: change?.name ?? null,
      newValue: change?.value.toString() ?? null,
      currentValue: current,
      proposer: address(p.proposer),
      approvals: p.approvals.map(address),
      cancelVotes: p.cancelVotes.map(address),
      threshold,
      status: p.status === ProposalStatus.scheduled ? "scheduled" : "pending",
      enactAt: p.status === ProposalStatus.scheduled ? p.enactAt : null,
      proposedAt: p.proposedAt,
    };
    return json;
  };
  return {
    list: (at) => {
      const s = stateAt(at);
      return (Object.keys(PARAMS) as ParamName[]).map((name) => {
        const def = PARAMS[name];
        return {
          name,
          value: param(s, name).toString(),
          default: def.default.toString(),
          min: def.min.toString(),
          max: def.max.toString(),
          unit: def.unit,
          doc: def.doc,
        };
      });
    },
    pending: (at) => {
      const s = stateAt(at);
      const threshold = councilThreshold(s);
      return openProposals(s).map(({ id, proposal }) => proposalJson(s, id, proposal, threshold));
    },
    councilMembers: (at) => {
      const s = stateAt(at);
      return { members: councilMembers(s).map(address), threshold: councilThreshold(s) };
    },
  };
}
