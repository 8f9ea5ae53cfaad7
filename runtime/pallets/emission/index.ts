// Emission tied to use and the chain's economic health: the pallet, the schedule's arithmetic and
// the reads the RPC layer, the node's metrics and the simulator use.
export { EMISSION_EVENTS, EMISSION_INDEX } from "./events.ts";
export { emission } from "./pallet.ts";
export {
  type EmissionParams,
  type EpochEmission,
  epochEmission,
  giniPpm,
  projectSchedule,
  proportionalShare,
  type ScheduleProjection,
  scheduleFor,
} from "./schedule.ts";
export {
  type CloseJob,
  closingEpoch,
  emissionParams,
  type HealthRecord,
  healthRecord,
  latestHealthEpoch,
  nextUnscheduledEpoch,
  poolEmission,
  scheduledSupply,
  storage,
} from "./storage.ts";
