// Bytes on the wire, for the informant and `system_networkState`-style reporting. libp2p hands
// every raw connection to its metrics component before encryption (`trackMultiaddrConnection`);
// this component registers no metrics of its own (the node's Prometheus metrics are declared
// elsewhere) and only reads the TCP socket's own byte counters, so the numbers include noise,
// yamux and gossipsub overhead exactly as the kernel saw them. A connection from a transport
// without a socket (none today) is simply not counted.
import type { Socket } from "node:net";
import type { Metrics, MultiaddrConnection } from "@libp2p/interface";

export interface ByteTotals {
  inbound: number;
  outbound: number;
}

const noopMetric = {
  update() {},
  increment() {},
  decrement() {},
  reset() {},
  observe() {},
  timer() {
    return () => {};
  },
};

export class WireBytes {
  readonly #open = new Set<Socket>();
  #closedIn = 0;
  #closedOut = 0;

  totals(): ByteTotals {
    let inbound = this.#closedIn;
    let outbound = this.#closedOut;
    for (const socket of this.#open) {
      inbound += socket.bytesRead;
      outbound += socket.bytesWritten;
    }
    return { inbound, outbound };
  }

  track(maConn: MultiaddrConnection): void {
    const socket = (maConn as { socket?: unknown }).socket;
    if (!isSocket(socket) || this.#open.has(socket)) return;
    this.#open.add(socket);
    socket.once("close", () => {
      this.#open.delete(socket);
      this.#closedIn += socket.bytesRead;
      this.#closedOut += socket.bytesWritten;
    });
  }

  /** The libp2p metrics component (its option `metrics`) that feeds this counter. */
  component(): Metrics {
    const register = () => noopMetric;
    const metrics = {
      trackMultiaddrConnection: (maConn: MultiaddrConnection) => this.track(maConn),
      trackProtocolStream() {},
      registerMetric: register,
      registerMetricGroup: register,
      registerCounter: register,
      registerCounterGroup: register,
      registerHistogram: register,
      registerHistogramGroup: register,
      registerSummary: register,
      registerSummaryGroup: register,
      traceFunction: <F>(_name: string, fn: F) => fn,
      createTrace: () => undefined,
    };
    // Metrics' register methods are overloaded intersections that no plain object literal can be
    // typed as; each of these returns a metric that ignores its input, which satisfies all of them.
    return metrics as unknown as Metrics;
  }
}

function isSocket(value: unknown): value is Socket {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Socket).bytesRead === "number" &&
    typeof (value as Socket).once === "function"
  );
}
