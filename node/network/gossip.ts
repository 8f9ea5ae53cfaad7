// The gossip side of the network: gossipsub runs with asyncValidation, so a received message is
// neither delivered nor forwarded until its topic's validator has judged it. Messages wait for
// their validator in one bounded queue per topic (full → dropped and counted); "accept" delivers
// and forwards, "ignore" drops quietly, "reject" drops and costs the forwarding peer score.
import { type GossipSub, TopicValidatorResult } from "@libp2p/gossipsub";
import { DEFAULT_MAX_TRANSACTION_BYTES } from "../txpool/limits.ts";
import { NetworkError } from "./errors.ts";
import { BoundedQueue } from "./gossip-queue.ts";
import { GOSSIP_TOPICS, type GossipTopic, type ProtocolIds } from "./protocols.ts";
import { describe } from "./request-response.ts";

export type Verdict = "accept" | "ignore" | "reject";
export type GossipValidator = (data: Uint8Array, from: string) => Verdict | Promise<Verdict>;
export type GossipListener = (data: Uint8Array, from: string) => void;

export interface GossipQueueConfig {
  readonly capacity: number;
  readonly concurrency: number;
}

export const DEFAULT_GOSSIP_QUEUES: Record<GossipTopic, GossipQueueConfig> = {
  // Blocks import one at a time anyway; transactions and votes validate independently.
  blocks: { capacity: 256, concurrency: 1 },
  transactions: { capacity: 4096, concurrency: 4 },
  finality: { capacity: 1024, concurrency: 2 },
};

export const DEFAULT_MAX_GOSSIP_BYTES: Record<GossipTopic, number> = {
  // The runtime's maxBlockLength tops out at 5 MiB of extrinsics; the header and digests are small.
  blocks: 5 * 1024 * 1024 + 64 * 1024,
  transactions: DEFAULT_MAX_TRANSACTION_BYTES,
  // Votes are a few hundred bytes; a justification (consensus/finality.ts) at most 256 KiB.
  finality: 512 * 1024,
};

/** The gossipsub router with the two methods its public interface type leaves out. */
export type GossipRouter = GossipSub & {
  reportMessageValidationResult(
    msgId: string,
    propagationSource: string,
    acceptance: TopicValidatorResult,
  ): void;
  getMeshPeers(topic: string): string[];
};

export interface GossipHooks {
  debug(message: string): void;
  warn(message: string): void;
  /** One received message's fate. */
  outcome(topic: GossipTopic, outcome: Verdict | "dropped"): void;
  /** A peer forwarded a message its topic's validator rejected, or an oversized one. */
  penalize(peerId: string, reason: string): void;
}

interface Pending {
  topic: GossipTopic;
  msgId: string;
  from: string;
  data: Uint8Array;
}

export class GossipPipeline {
  readonly #router: GossipRouter;
  readonly #ids: ProtocolIds;
  readonly #topicByString: Map<string, GossipTopic>;
  readonly #maxBytes: Record<GossipTopic, number>;
  readonly #hooks: GossipHooks;
  readonly #queues: Record<GossipTopic, BoundedQueue<Pending>>;
  readonly #validators = new Map<GossipTopic, GossipValidator>();
  readonly #warnedNoValidator = new Set<GossipTopic>();
  readonly #listeners: Record<GossipTopic, Set<GossipListener>> = {
    blocks: new Set(),
    transactions: new Set(),
    finality: new Set(),
  };
  #open = false;

  constructor(
    router: GossipRouter,
    ids: ProtocolIds,
    config: {
      queues: Record<GossipTopic, GossipQueueConfig>;
      maxBytes: Record<GossipTopic, number>;
    },
    hooks: GossipHooks,
  ) {
    this.#router = router;
    this.#ids = ids;
    this.#topicByString = new Map(GOSSIP_TOPICS.map((t) => [ids.topics[t], t]));
    this.#maxBytes = config.maxBytes;
    this.#hooks = hooks;
    const queue = (topic: GossipTopic) =>
      new BoundedQueue<Pending>(
        config.queues[topic].capacity,
        config.queues[topic].concurrency,
        (item) => this.#validate(item),
      );
    this.#queues = {
      blocks: queue("blocks"),
      transactions: queue("transactions"),
      finality: queue("finality"),
    };
  }

  /** Listens to the router; call before the router starts. */
  attach(): void {
    this.#open = true;
    this.#router.addEventListener("gossipsub:message", (e) => {
      const { propagationSource, msgId, msg } = e.detail;
      this.#receive(msg.topic, msgId, propagationSource.toString(), msg.data);
    });
  }

  /** Joins our topics; call once the router runs. */
  subscribe(): void {
    for (const topic of GOSSIP_TOPICS) this.#router.subscribe(this.#ids.topics[topic]);
  }

  close(): void {
    this.#open = false;
    for (const topic of GOSSIP_TOPICS) this.#queues[topic].close();
  }

  setValidator(topic: GossipTopic, validate: GossipValidator): void {
    this.#validators.set(topic, validate);
  }

  onMessage(topic: GossipTopic, listener: GossipListener): () => void {
    this.#listeners[topic].add(listener);
    return () => this.#listeners[topic].delete(listener);
  }

  async publish(topic: GossipTopic, data: Uint8Array): Promise<void> {
    const limit = this.#maxBytes[topic];
    if (data.length > limit) {
      throw new NetworkError(
        "MESSAGE_TOO_LARGE",
        `a ${topic} message is at most ${limit} bytes, got ${data.length}`,
      );
    }
    await this.#router.publish(this.#ids.topics[topic], data);
  }

  meshPeers(topic: GossipTopic): string[] {
    return this.#router.getMeshPeers(this.#ids.topics[topic]);
  }

  #report(msgId: string, from: string, verdict: Verdict): void {
    this.#router.reportMessageValidationResult(msgId, from, verdict as TopicValidatorResult);
  }

  #receive(topicString: string, msgId: string, from: string, data: Uint8Array): void {
    const topic = this.#topicByString.get(topicString);
    if (!topic || !this.#open) {
      this.#report(msgId, from, TopicValidatorResult.Ignore);
      return;
    }
    if (data.length > this.#maxBytes[topic]) {
      this.#report(msgId, from, TopicValidatorResult.Reject);
      this.#hooks.outcome(topic, "reject");
      this.#hooks.penalize(from, `oversized ${topic} gossip (${data.length} bytes)`);
      return;
    }
    if (!this.#queues[topic].push({ topic, msgId, from, data })) {
      this.#report(msgId, from, TopicValidatorResult.Ignore);
      this.#hooks.outcome(topic, "dropped");
    }
  }

  async #validate({ topic, msgId, from, data }: Pending): Promise<void> {
    let verdict: Verdict = "ignore";
    const validate = this.#validators.get(topic);
    if (!validate) {
      if (!this.#warnedNoValidator.has(topic)) {
        this.#warnedNoValidator.add(topic);
        this.#hooks.warn(`no validator for ${topic} gossip; ignoring such messages`);
      }
    } else {
      try {
        verdict = await validate(data, from);
      } catch (e) {
        // Our own validator failing is our bug, not the peer's offence.
        this.#hooks.warn(`the ${topic} gossip validator threw: ${describe(e)}`);
        verdict = "ignore";
      }
    }
    if (!this.#open) return;
    this.#report(msgId, from, verdict);
    this.#hooks.outcome(topic, verdict);
    if (verdict === "accept") {
      for (const listener of this.#listeners[topic]) {
        try {
          listener(data, from);
        } catch (e) {
          this.#hooks.warn(`a ${topic} gossip listener threw: ${describe(e)}`);
        }
      }
    } else if (verdict === "reject") {
      this.#hooks.penalize(from, `invalid ${topic} gossip`);
    }
  }
}
