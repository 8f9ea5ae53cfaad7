// A bounded work queue for one gossip topic: received messages wait here for their validator, at
// most `capacity` of them, with at most `concurrency` validations running. A message that finds
// the queue full is handed back to the caller (who drops it and counts it) rather than buffered:
// a peer flooding a topic costs us a counter, not memory.

export class BoundedQueue<T> {
  readonly #capacity: number;
  readonly #concurrency: number;
  readonly #work: (item: T) => Promise<void>;
  readonly #items: T[] = [];
  #head = 0;
  #running = 0;
  #closed = false;
  readonly #idleWaiters: (() => void)[] = [];

  constructor(capacity: number, concurrency: number, work: (item: T) => Promise<void>) {
    if (!(capacity >= 1 && concurrency >= 1)) throw new RangeError("capacity and concurrency >= 1");
    this.#capacity = capacity;
    this.#concurrency = concurrency;
    this.#work = work;
  }

  /** Number of items waiting (not counting those being worked on). */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Queues an item; false when the queue is full or closed (the item is not kept). */
  push(item: T): boolean {
    if (this.#closed || this.length >= this.#capacity) return false;
    this.#items.push(item);
    this.#pump();
    return true;
  }

  /** Stops taking items and discards those waiting; returns them so the caller can release them. */
  close(): T[] {
    this.#closed = true;
    const left = this.#items.slice(this.#head);
    this.#items.length = 0;
    this.#head = 0;
    this.#notifyIdle();
    return left;
  }

  /** Resolves when nothing is waiting or running. */
  idle(): Promise<void> {
    if (this.length === 0 && this.#running === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #pump(): void {
    while (this.#running < this.#concurrency && this.length > 0) {
      const item = this.#items[this.#head] as T;
      this.#head += 1;
      if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
        this.#items.splice(0, this.#head);
        this.#head = 0;
      }
      this.#running += 1;
      this.#work(item)
        .catch(() => {
          // The worker reports its own failures; a rejection must not stall the queue.
        })
        .finally(() => {
          this.#running -= 1;
          if (!this.#closed) this.#pump();
          this.#notifyIdle();
        });
    }
  }

  #notifyIdle(): void {
    if (this.length > 0 || this.#running > 0) return;
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}
