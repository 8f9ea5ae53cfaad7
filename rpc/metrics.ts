// RPC metrics under Substrate's names (sc-rpc-server), so existing dashboards work. Passed into the
// server rather than imported, so that several nodes can run in one process.
import { Counter, Histogram, type Registry } from "prom-client";

export type RpcProtocol = "http" | "ws";

export interface RpcMetrics {
  callStarted(protocol: RpcProtocol, method: string): void;
  callFinished(protocol: RpcProtocol, method: string, isError: boolean, micros: number): void;
  sessionOpened(protocol: RpcProtocol): void;
  sessionClosed(protocol: RpcProtocol): void;
}

export function createRpcMetrics(registry: Registry): RpcMetrics {
  const registers = [registry];
  const callsTime = new Histogram({
    name: "substrate_rpc_calls_time",
    help: "Total time [μs] of processed RPC calls",
    labelNames: ["protocol", "method"],
    buckets: [5, 10, 100, 500, 1_000, 10_000, 100_000, 1_000_000, 10_000_000],
    registers,
  });
  const started = new Counter({
    name: "substrate_rpc_calls_started",
    help: "Number of received RPC calls (unique un-batched requests)",
    labelNames: ["protocol", "method"],
    registers,
  });
  const finished = new Counter({
    name: "substrate_rpc_calls_finished",
    help: "Number of processed RPC calls (unique un-batched requests)",
    labelNames: ["protocol", "method", "is_error"],
    registers,
  });
  const opened = new Counter({
    name: "substrate_rpc_sessions_opened",
    help: "Number of persistent RPC sessions opened",
    labelNames: ["protocol"],
    registers,
  });
  const closed = new Counter({
    name: "substrate_rpc_sessions_closed",
    help: "Number of persistent RPC sessions closed",
    labelNames: ["protocol"],
    registers,
  });
  return {
    callStarted: (protocol, method) => started.inc({ protocol, method }),
    callFinished: (protocol, method, isError, micros) => {
      finished.inc({ protocol, method, is_error: String(isError) });
      callsTime.observe({ protocol, method }, micros);
    },
    sessionOpened: (protocol) => opened.inc({ protocol }),
    sessionClosed: (protocol) => closed.inc({ protocol }),
  };
}
