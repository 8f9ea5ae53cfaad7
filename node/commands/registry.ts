// `lineage tx registry <call>` and `lineage query registry <what>`: the data registry from the
// command line. Transactions go through the wallet's `runTx` (local signing, submit-and-watch,
// the block and the extrinsic's events); queries print the registry_* RPC records as JSON.
import { type Command, Option } from "commander";
import { u128ToBytes } from "../../primitives/amount.ts";
import { fromHex, toHex } from "../../primitives/bytes.ts";
import { LineageError } from "../../primitives/errors.ts";
import { ss58Encode } from "../../primitives/ss58.ts";
import type { RpcContributionFilter } from "../../rpc/node-api.ts";
import {
  keys,
  LicenceKind,
  Modality,
  REGISTRY_ERRORS,
  storage as registryStorage,
  verifyVersionProof,
} from "../../runtime/pallets/registry/index.ts";
import { verifyProof } from "../../state/trie/proof.ts";
import {
  accountFromText,
  cliValue,
  connect,
  DEFAULT_RPC_URL,
  errorExplainer,
  invalidFlag,
  linFlag,
  notFound,
  type QueryOptions,
  queryGroup,
  txGroup,
  uintFlag,
} from "./wallet.ts";

type Print = (text: string) => void;

const MODALITIES = Object.keys(Modality) as (keyof typeof Modality)[];
const LICENCES = Object.keys(LicenceKind) as (keyof typeof LicenceKind)[];
const STATUSES = ["pending", "accepted", "rejected", "slashed", "withdrawn"] as const;

// ---- flag parsers: each failure is one INVALID_CLI line naming the flag ----

function account(flag: string, text: string): Uint8Array {
  return cliValue(flag, () => accountFromText(text));
}

function accounts(flag: string, list: string[] | undefined): Uint8Array[] {
  return (list ?? []).map((text) => account(flag, text));
}

function contentHash(text: string): Uint8Array {
  if (!/^0x[0-9a-fA-F]{64}$/.test(text.trim()))
    invalidFlag("--content-hash", `expected 0x and 64 hex digits (32 bytes), got ${text}`);
  return fromHex(text.trim());
}

function positiveLin(flag: string, text: string): bigint {
  const amount = linFlag(flag, text);
  if (amount === 0n) invalidFlag(flag, "must be positive");
  return amount;
}

function oneOf<T extends string>(flag: string, text: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(text))
    invalidFlag(flag, `expected ${allowed.join(", ")}; got ${text}`);
  return text as T;
}

interface LicenceFlags {
  licence: string;
  fee?: string;
  allow?: string[];
  commercial?: boolean;
  attribution?: boolean;
}

function addLicenceOptions(command: Command): Command {
  return command
    .option("--licence <kind>", `licence: ${LICENCES.join(" | ")}`, "open")
    .option("--fee <LIN>", "licence fee (paid licences only, required for them)")
    .option("--allow <account...>", "allow-list (restricted licences only, required for them)")
    .option("--commercial", "commercial use allowed")
    .option("--attribution", "attribution required");
}

/** The licence message, checked as the pallet checks it so that mistakes fail before signing. */
function licenceArgs(o: LicenceFlags): object {
  const kind = oneOf("--licence", o.licence, LICENCES);
  if ((kind === "paid") !== (o.fee !== undefined))
    invalidFlag("--fee", "a paid licence, and only a paid licence, takes --fee");
  if ((kind === "restricted") !== (o.allow !== undefined && o.allow.length > 0))
    invalidFlag("--allow", "a restricted licence, and only a restricted licence, takes --allow");
  const fee = o.fee === undefined ? 0n : linFlag("--fee", o.fee);
  if (kind === "paid" && fee === 0n) invalidFlag("--fee", "a paid licence's fee must be positive");
  return {
    kind: LicenceKind[kind],
    fee: u128ToBytes(fee),
    allowList: accounts("--allow", o.allow),
    commercial: o.commercial === true,
    attribution: o.attribution === true,
  };
}

/** Error codes of failed registry calls, explained from the pallet's messages. */
const explain = errorExplainer("Registry", REGISTRY_ERRORS);

export function registryTxCommand(print: Print): Command {
  const { group, call } = txGroup(
    "registry",
    "Data registry calls: datanets, contributions, curation (bonds, reviews), challenges, appeals, versions.",
    print,
    explain,
  );
  const datanet = (c: Command) => c.requiredOption("--datanet <id>", "datanet id");
  const contribution = (c: Command) => c.requiredOption("--contribution <id>", "contribution id");

  call<
    LicenceFlags & {
      name: string;
      modality: string;
      description: string;
      metadataUri: string;
      curator?: string[];
      minBond: string;
      reviewWindow: string;
      challengeWindow: string;
      pendingLimit: string;
    }
  >(
    "create-datanet",
    "Create a datanet owned by --from, reserving the datanet deposit.",
    (c) =>
      addLicenceOptions(
        c
          .requiredOption("--name <name>", "datanet name")
          .requiredOption("--modality <kind>", `modality: ${MODALITIES.join(" | ")}`)
          .option("--description <text>", "description", "")
          .option("--metadata-uri <uri>", "metadata URI", ""),
      )
        .option("--curator <account...>", "curators (none: the owner curates)")
        .option("--min-bond <LIN>", "minimum contribution bond", "1")
        .option("--review-window <blocks>", "blocks a submission may stay pending", "14400")
        .option("--challenge-window <blocks>", "blocks an acceptance may be challenged", "14400")
        .option("--pending-limit <n>", "pending submissions per account (0: the default)", "0"),
    (o) => ({
      call: "Registry.createDatanet",
      args: {
        name: o.name,
        modality: Modality[oneOf("--modality", o.modality, MODALITIES)],
        description: o.description,
        metadataUri: o.metadataUri,
        licence: licenceArgs(o),
        policy: {
          curators: accounts("--curator", o.curator),
          minBond: u128ToBytes(linFlag("--min-bond", o.minBond)),
          reviewWindow: uintFlag("--review-window", o.reviewWindow),
          challengeWindow: uintFlag("--challenge-window", o.challengeWindow),
          pendingLimit: uintFlag("--pending-limit", o.pendingLimit, 0xffff_ffff),
        },
      },
    }),
  );
  call<{ datanet: string; description: string; metadataUri: string }>(
    "update-metadata",
    "The owner replaces a datanet's description and metadata URI.",
    (c) =>
      datanet(c)
        .requiredOption("--description <text>", "new description")
        .requiredOption("--metadata-uri <uri>", "new metadata URI"),
    (o) => ({
      call: "Registry.updateMetadata",
      args: {
        datanetId: uintFlag("--datanet", o.datanet),
        description: o.description,
        metadataUri: o.metadataUri,
      },
    }),
  );
  call<LicenceFlags & { datanet: string }>(
    "set-licence",
    "The owner replaces a datanet's licence.",
    (c) => addLicenceOptions(datanet(c)),
    (o) => ({
      call: "Registry.setLicence",
      args: { datanetId: uintFlag("--datanet", o.datanet), licence: licenceArgs(o) },
    }),
  );
  call<{ datanet: string; curator?: string[] }>(
    "set-curators",
    "The owner replaces a datanet's curators (no --curator: the owner curates).",
    (c) => datanet(c).option("--curator <account...>", "curators"),
    (o) => ({
      call: "Registry.setCurators",
      args: {
        datanetId: uintFlag("--datanet", o.datanet),
        curators: accounts("--curator", o.curator),
      },
    }),
  );
  call<{ datanet: string; to: string }>(
    "transfer-ownership",
    "Hand a datanet to another account, which takes over the deposit.",
    (c) => datanet(c).requiredOption("--to <account>", "new owner"),
    (o) => ({
      call: "Registry.transferOwnership",
      args: { datanetId: uintFlag("--datanet", o.datanet), newOwner: account("--to", o.to) },
    }),
  );
  call<{ datanet: string }>(
    "close",
    "The owner closes a datanet with nothing pending, challenged or appealed and none of its own decisions open; the deposit is returned.",
    datanet,
    (o) => ({
      call: "Registry.closeDatanet",
      args: { datanetId: uintFlag("--datanet", o.datanet) },
    }),
  );
  call<{ datanet: string; amount: string }>(
    "top-up-deposit",
    "The owner adds to the datanet deposit that stakes its own curation (after a slash).",
    (c) => datanet(c).requiredOption("--amount <LIN>", "amount to add"),
    (o) => ({
      call: "Registry.topUpDeposit",
      args: {
        datanetId: uintFlag("--datanet", o.datanet),
        amount: u128ToBytes(positiveLin("--amount", o.amount)),
      },
    }),
  );
  call<{ datanet: string; amount: string }>(
    "bond-curator",
    "A listed curator adds to its curator bond in a datanet (it reviews only at the minimum bond).",
    (c) => datanet(c).requiredOption("--amount <LIN>", "amount to bond"),
    (o) => ({
      call: "Registry.bondCurator",
      args: {
        datanetId: uintFlag("--datanet", o.datanet),
        amount: u128ToBytes(positiveLin("--amount", o.amount)),
      },
    }),
  );
  call<{ datanet: string }>(
    "unbond-curator",
    "A curator takes back its whole bond once none of its decisions is open to challenge or appeal.",
    datanet,
    (o) => ({
      call: "Registry.unbondCurator",
      args: { datanetId: uintFlag("--datanet", o.datanet) },
    }),
  );
  call<{ datanet: string; contentHash: string; size: string; metadataUri: string }>(
    "submit",
    "Submit a contribution, reserving a bond scaled by --from's reputation and the review fee.",
    (c) =>
      datanet(c)
        .requiredOption("--content-hash <0x…>", "Merkle root of the data object (32 bytes)")
        .requiredOption("--size <bytes>", "size of the data object in bytes")
        .option("--metadata-uri <uri>", "metadata URI", ""),
    (o) => {
      const size = uintFlag("--size", o.size);
      if (size === 0) invalidFlag("--size", "must be positive");
      return {
        call: "Registry.submitContribution",
        args: {
          datanetId: uintFlag("--datanet", o.datanet),
          contentHash: contentHash(o.contentHash),
          size,
          metadataUri: o.metadataUri,
        },
      };
    },
  );
  call<{ contribution: string }>(
    "withdraw",
    "The contributor withdraws a pending contribution; the bond and review fee are returned.",
    contribution,
    (o) => ({
      call: "Registry.withdrawContribution",
      args: { contributionId: uintFlag("--contribution", o.contribution) },
    }),
  );
  call<{ contribution: string; quality: string }>(
    "accept",
    "A bonded curator accepts a pending contribution with a quality score (its weight in versions).",
    (c) => contribution(c).requiredOption("--quality <score>", "quality score, 1..max"),
    (o) => {
      const quality = uintFlag("--quality", o.quality, 0xffff_ffff);
      if (quality === 0) invalidFlag("--quality", "scores start at 1");
      return {
        call: "Registry.acceptContribution",
        args: { contributionId: uintFlag("--contribution", o.contribution), quality },
      };
    },
  );
  call<{ contribution: string; reason: string }>(
    "reject",
    "A bonded curator rejects a pending contribution; part of its bond is slashed once the rejection stands.",
    (c) => contribution(c).requiredOption("--reason <text>", "why"),
    (o) => ({
      call: "Registry.rejectContribution",
      args: { contributionId: uintFlag("--contribution", o.contribution), reason: o.reason },
    }),
  );
  call<{ contribution: string; evidenceUri: string }>(
    "challenge",
    "Challenge an accepted contribution inside its window, reserving the challenge bond.",
    (c) => contribution(c).requiredOption("--evidence-uri <uri>", "reference to the evidence"),
    (o) => {
      if (o.evidenceUri === "") invalidFlag("--evidence-uri", "an evidence reference is required");
      return {
        call: "Registry.challenge",
        args: {
          contributionId: uintFlag("--contribution", o.contribution),
          evidenceUri: o.evidenceUri,
        },
      };
    },
  );
  call<{ contribution: string; uphold?: boolean; dismiss?: boolean }>(
    "resolve",
    "The datanet's owner upholds or dismisses an open challenge of a curator's acceptance.",
    (c) =>
      contribution(c)
        .addOption(
          new Option("--uphold", "uphold: the contributor and the curator are slashed").conflicts(
            "dismiss",
          ),
        )
        .addOption(new Option("--dismiss", "dismiss: the challenger is slashed")),
    (o) => {
      if (o.uphold !== true && o.dismiss !== true)
        invalidFlag("resolve", "give --uphold or --dismiss");
      return {
        call: "Registry.resolveChallenge",
        args: {
          contributionId: uintFlag("--contribution", o.contribution),
          uphold: o.uphold === true,
        },
      };
    },
  );
  call<{ contribution: string; evidenceUri: string }>(
    "appeal",
    "The contributor appeals the rejection of its contribution inside its window, reserving the challenge bond.",
    (c) => contribution(c).requiredOption("--evidence-uri <uri>", "reference to the evidence"),
    (o) => {
      if (o.evidenceUri === "") invalidFlag("--evidence-uri", "an evidence reference is required");
      return {
        call: "Registry.appealRejection",
        args: {
          contributionId: uintFlag("--contribution", o.contribution),
          evidenceUri: o.evidenceUri,
        },
      };
    },
  );
  call<{ contribution: string; overturn?: boolean; dismiss?: boolean; quality?: string }>(
    "resolve-appeal",
    "The datanet's owner overturns an appealed rejection (accepting the contribution at --quality) or dismisses the appeal.",
    (c) =>
      contribution(c)
        .addOption(
          new Option(
            "--overturn",
            "overturn: accept at --quality; the curator is slashed",
          ).conflicts("dismiss"),
        )
        .addOption(
          new Option("--dismiss", "dismiss: the appellant is slashed, the rejection stands"),
        )
        .option("--quality <score>", "quality score of the overturned rejection, 1..max"),
    (o) => {
      if (o.overturn !== true && o.dismiss !== true)
        invalidFlag("resolve-appeal", "give --overturn --quality <score> or --dismiss");
      let quality = 0;
      if (o.overturn === true) {
        if (o.quality === undefined) invalidFlag("--quality", "--overturn needs a quality score");
        quality = uintFlag("--quality", o.quality, 0xffff_ffff);
        if (quality === 0) invalidFlag("--quality", "scores start at 1");
      } else if (o.quality !== undefined) {
        invalidFlag("--quality", "a dismissal takes no quality");
      }
      return {
        call: "Registry.resolveAppeal",
        args: {
          contributionId: uintFlag("--contribution", o.contribution),
          overturn: o.overturn === true,
          quality,
        },
      };
    },
  );
  call<{ datanet: string; metadataUri: string }>(
    "publish-version",
    "The owner freezes the accepted contributions and their weights as the next version.",
    (c) => datanet(c).option("--metadata-uri <uri>", "metadata URI of the version", ""),
    (o) => ({
      call: "Registry.publishVersion",
      args: { datanetId: uintFlag("--datanet", o.datanet), metadataUri: o.metadataUri },
    }),
  );
  return group;
}

// ---- queries ----

export function registryQueryCommand(print: Print): Command {
  const { group, query, run, at } = queryGroup(
    "registry",
    "Read the data registry over RPC; prints JSON.",
    print,
  );
  type At = QueryOptions;

  query("datanet", "One datanet.")
    .argument("<id>", "datanet id")
    .action(async (id: string, o: At) => {
      const n = uintFlag("<id>", id);
      await run(
        o.rpc,
        async (c) => (await c.registry.datanet(n, at(o))) ?? notFound(`datanet #${n}`),
      );
    });
  query("datanets", "A page of datanets, by id.")
    .option("--start <id>", "first id", "0")
    .option("--count <n>", "page size (1..100)", "100")
    .action(async (o: At & { start: string; count: string }) => {
      const start = uintFlag("--start", o.start);
      const count = uintFlag("--count", o.count);
      await run(o.rpc, (c) => c.registry.datanets(start, count, at(o)));
    });
  query("contribution", "One contribution, with its open challenge if any.")
    .argument("<id>", "contribution id")
    .action(async (id: string, o: At) => {
      const n = uintFlag("<id>", id);
      await run(
        o.rpc,
        async (c) => (await c.registry.contribution(n, at(o))) ?? notFound(`contribution #${n}`),
      );
    });
  query("contributions", "A page of contributions, filtered by datanet, contributor and status.")
    .option("--datanet <id>", "only this datanet's")
    .option("--contributor <account>", "only this account's")
    .option("--status <status>", `only with this status: ${STATUSES.join(" | ")}`)
    .option("--start <id>", "first id", "0")
    .option("--count <n>", "page size (1..100)", "100")
    .action(
      async (
        o: At & {
          datanet?: string;
          contributor?: string;
          status?: string;
          start: string;
          count: string;
        },
      ) => {
        const filter: RpcContributionFilter = {};
        if (o.datanet !== undefined) filter.datanet = uintFlag("--datanet", o.datanet);
        if (o.contributor !== undefined)
          filter.contributor = ss58Encode(account("--contributor", o.contributor));
        if (o.status !== undefined) filter.status = oneOf("--status", o.status, STATUSES);
        const start = uintFlag("--start", o.start);
        const count = uintFlag("--count", o.count);
        await run(o.rpc, (c) => c.registry.contributions(filter, start, count, at(o)));
      },
    );
  query("version", "A published version of a datanet (versions are numbered from 1).")
    .argument("<datanet>", "datanet id")
    .argument("<version>", "version number")
    .action(async (d: string, v: string, o: At) => {
      const datanetId = uintFlag("<datanet>", d);
      const version = uintFlag("<version>", v);
      await run(
        o.rpc,
        async (c) =>
          (await c.registry.version(datanetId, version, at(o))) ??
          notFound(`version ${version} of datanet #${datanetId}`),
      );
    });
  group
    .command("proof")
    .description(
      "A contribution's inclusion proof in a version, checked here against the version's root read by a state proof at a finalized block. The header comes from the same node: compare its hash with a source you trust.",
    )
    .argument("<datanet>", "datanet id")
    .argument("<version>", "version number")
    .argument("<contribution>", "contribution id")
    .option("--at <hash>", "finalized block hash to check against (default: the finalized head)")
    .option("--rpc <url>", "node WebSocket RPC endpoint", DEFAULT_RPC_URL)
    .action(async (d: string, v: string, id: string, o: At) => {
      const datanetId = uintFlag("<datanet>", d);
      const version = uintFlag("<version>", v);
      const contributionId = uintFlag("<contribution>", id);
      const client = await connect(o.rpc);
      let verifies = false;
      try {
        const block = at(o) ?? (await client.chain.getFinalizedHead());
        const header = await client.chain.getHeader(block);
        if (!header) notFound(`block ${block}`);
        const what = `version ${version} of datanet #${datanetId} at block #${Number.parseInt(header.number, 16)}`;
        const record = (await client.registry.version(datanetId, version, block)) ?? notFound(what);
        const proof =
          (await client.registry.proof(datanetId, version, contributionId, block)) ??
          notFound(`contribution #${contributionId} in ${what}`);
        // The root: from the version record, proven against the header's state root.
        const { proof: nodes } = await client.state.getReadProof([record.storageKey], block);
        const read = verifyProof(
          fromHex(header.stateRoot),
          fromHex(record.storageKey),
          nodes.map((n) => fromHex(n)),
        );
        const stored = read.found
          ? registryStorage.versions.get(
              { get: () => read.value },
              keys.version(datanetId, version),
            )
          : undefined;
        const root = stored?.root;
        verifies =
          root !== undefined &&
          verifyVersionProof(root, contributionId, proof.weight, {
            index: proof.proof.index,
            count: proof.proof.count,
            siblings: proof.proof.siblings.map((h) => fromHex(h)),
          });
        print(
          `${JSON.stringify(
            {
              ...proof,
              verifies,
              checkedAgainst: {
                block,
                number: Number.parseInt(header.number, 16),
                stateRoot: header.stateRoot,
                versionRoot: root ? toHex(root) : null,
                rootInStateProof: read.found,
                trust:
                  "the header and the state proof come from this same node: the check shows the proof matches the version root in that block's state, not that the block is canonical. Compare the block hash with a source you trust.",
              },
            },
            null,
            2,
          )}\n`,
        );
      } finally {
        await client.close();
      }
      if (!verifies)
        throw new LineageError("PROOF_INVALID", "the proof does not verify against the root");
    });
  query("curator", "A curator's (or owner's) stake, standing and record in a datanet.")
    .argument("<datanet>", "datanet id")
    .argument("<account>", "SS58 address, 0x account id or dev account name")
    .action(async (d: string, who: string, o: At) => {
      const datanetId = uintFlag("<datanet>", d);
      const address = ss58Encode(account("<account>", who));
      await run(
        o.rpc,
        async (c) =>
          (await c.registry.curator(datanetId, address, at(o))) ??
          notFound(`datanet #${datanetId}`),
      );
    });
  query("reputation", "An account's registry reputation.")
    .argument("<account>", "SS58 address, 0x account id or dev account name")
    .action(async (who: string, o: At) => {
      const address = ss58Encode(account("<account>", who));
      await run(o.rpc, (c) => c.registry.reputation(address, at(o)));
    });
  return group;
}
