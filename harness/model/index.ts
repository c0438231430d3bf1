export { Simulation, type SimulationOptions, type SimEvent, type PhaseTiming } from './simulation.ts';
export { Cluster } from './cluster.ts';
export { Worker } from './worker.ts';
export { Pod, type PingOptions, type Target } from './pod.ts';
export { loadTopology, planTopology, type Topology, type TopologySpec } from './topology.ts';
export { type PingStats, formatPing } from './ping.ts';
export { Capture, captureIn, type CaptureOptions } from '../components/capture/index.ts';
