// Synthetic data for measured attribution: labelled u8 vectors drawn around one centroid per
// class (written as labelled-vector files, runtime/measurement/vectors.ts), so that knn-shapley v1
// values them as it would real features. A contributor's true quality is the share of its labels
// that are right: each point's label is flipped to another class with probability
// 1 − quality / 100. Queries are held-out points with their true labels. A near copy moves every
// coordinate of someone else's points by at most one, which the method's near-duplicate collapse
// catches and curators cannot.
import { type LabelledVectors, VectorElement } from "../runtime/measurement/index.ts";
import type { Random } from "./random.ts";

export interface DataShape {
  /** Coordinates of each point (u8). */
  dimension: number;
  /** Labels 0 … classes − 1. */
  classes: number;
  /** Points in each contribution. */
  pointsPerContribution: number;
  /**
   * Each coordinate of a point is its class centroid's ± up to this much (uniform); centroids are
   * drawn in [spread, 255 − spread], so points stay within 0..255.
   */
  spread: number;
}

/** The registry's quality scale, which the curators judge on and label noise is read from. */
const MAX_QUALITY = 100;

export class SyntheticData {
  readonly shape: DataShape;
  readonly #rng: Random;
  /** One centroid per class, `classes × dimension`. */
  readonly #centroids: Int32Array;

  constructor(shape: DataShape, rng: Random) {
    this.shape = shape;
    this.#rng = rng;
    this.#centroids = new Int32Array(shape.classes * shape.dimension);
    for (let i = 0; i < this.#centroids.length; i++)
      this.#centroids[i] = shape.spread + rng.int(256 - 2 * shape.spread);
  }

  /** A contribution of true quality `quality` (1..100): its points, some labels flipped. */
  contribution(quality: number): LabelledVectors {
    const flip = 1 - Math.min(MAX_QUALITY, Math.max(0, quality)) / MAX_QUALITY;
    return this.#points(this.shape.pointsPerContribution, flip);
  }

  /** `count` held-out queries, each labelled with its true class. */
  queries(count: number): LabelledVectors {
    return this.#points(count, 0);
  }

  /** A near copy of `original`: every coordinate moved by −1, 0 or +1, the labels kept. */
  nearCopy(original: LabelledVectors): LabelledVectors {
    const values = Int32Array.from(original.values, (x) =>
      Math.max(0, Math.min(255, x + this.#rng.int(3) - 1)),
    );
    // Never the same bytes (the registry refuses a content hash it holds): nudge one coordinate.
    if (values.every((x, i) => x === original.values[i]))
      values[0] = values[0]! === 255 ? 254 : values[0]! + 1;
    return { ...original, labels: original.labels.slice(), values };
  }

  #points(count: number, flip: number): LabelledVectors {
    const { dimension, classes, spread } = this.shape;
    const labels = new Uint16Array(count);
    const values = new Int32Array(count * dimension);
    for (let p = 0; p < count; p++) {
      const cls = this.#rng.int(classes);
      for (let t = 0; t < dimension; t++) {
        const x = this.#centroids[cls * dimension + t]! + this.#rng.int(2 * spread + 1) - spread;
        values[p * dimension + t] = Math.max(0, Math.min(255, x));
      }
      labels[p] = this.#rng.chance(flip) ? (cls + 1 + this.#rng.int(classes - 1)) % classes : cls;
    }
    return { element: VectorElement.u8, dimension, labels, values };
  }
}
