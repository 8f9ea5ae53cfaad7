// What the figures were measured on: they mean little without it.
import os from "node:os";

export interface MachineFacts {
  cpuModel: string;
  cpus: number;
  availableParallelism: number;
  nodeVersion: string;
  opensslVersion: string;
  v8Version: string;
  platform: string;
  arch: string;
  kernel: string;
  totalMemoryBytes: number;
  /** 1, 5 and 15 minute load averages at the start: these machines are shared. */
  loadAverage: number[];
}

export function machineFacts(): MachineFacts {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    cpus: cpus.length,
    availableParallelism: os.availableParallelism(),
    nodeVersion: process.version,
    opensslVersion: process.versions.openssl ?? "unknown",
    v8Version: process.versions.v8,
    platform: os.platform(),
    arch: os.arch(),
    kernel: os.release(),
    totalMemoryBytes: os.totalmem(),
    loadAverage: os.loadavg(),
  };
}
