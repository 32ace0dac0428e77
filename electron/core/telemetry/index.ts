import { trace } from '@opentelemetry/api';
import type { Paths } from '../config.js';
import type { CoreEvents, DaemonSupport, Logger, TraceStore } from '../contracts.js';

export interface Telemetry {
  tracer: ReturnType<typeof trace.getTracer>;
  store: TraceStore;
  daemon: DaemonSupport;
  otlpEndpoint(): string | undefined;
  close(): Promise<void>;
}

export async function createTelemetry(_opts: {
  paths: Paths;
  env: NodeJS.ProcessEnv;
  log: Logger;
  events: CoreEvents;
  otlpPort?: number;
}): Promise<Telemetry> {
  throw new Error('not implemented yet');
}
