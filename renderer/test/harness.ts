/**
 * Installs a FakeApi as window.boxscope in a real browser page, for the
 * screenshot script and the large-trace benchmark. Bundled to an IIFE and
 * injected before the app's own script runs.
 */
import { FakeApi, emptyData } from './fake-api.js';
import { demoData } from './demo-data.js';
import { otlpToSpans, type OtlpRequest } from './otlp.js';
import { columnsOf, decodeColumns } from '../../shared/trace-columns.js';
import { buildTraceModel } from '../src/model/trace-model.js';

interface HarnessOptions {
  mode: 'demo' | 'bench' | 'no-engine';
  /** bench: URL of an OTLP JSON file to serve as `traceId`. */
  traceUrl?: string;
}

declare global {
  interface Window {
    /** For the live bench: spans as column batch bytes, and the timeline's whole build of batches (its baseline). */
    __columns?: {
      columnsOf: typeof columnsOf;
      buildTraceModel: typeof buildTraceModel;
      decodeColumns: typeof decodeColumns;
    };
    __fake?: FakeApi;
    __benchReady?: Promise<{ traceId: string; spans: number; fetchMs: number; parseMs: number }>;
  }
}

export function install(opts: HarnessOptions): void {
  const fake = new FakeApi(opts.mode === 'bench' ? emptyData() : demoData());
  if (opts.mode === 'no-engine') {
    fake.data.engine = {
      reachable: false,
      endpoint: 'unix:///var/run/docker.sock',
      message: 'connect ENOENT /var/run/docker.sock',
    };
    fake.data.boxes = [];
    fake.data.summaries = [];
    fake.data.creds = [];
    fake.data.store = {
      backend: 'file',
      secure: false,
      message: 'No keychain found: saved secrets are only obfuscated on disk.',
    };
  }
  window.boxscope = fake;
  window.__fake = fake;
  if (opts.mode === 'bench') window.__columns = { columnsOf, buildTraceModel, decodeColumns };
  if (opts.mode !== 'bench' || !opts.traceUrl) return;
  window.__benchReady = (async () => {
    const t0 = performance.now();
    const text = await (await fetch(opts.traceUrl!)).text();
    const t1 = performance.now();
    // The baseline the benchmark compares against: parsing the same file once.
    const parsed = JSON.parse(text) as OtlpRequest;
    const t2 = performance.now();
    const spans = otlpToSpans(parsed);
    const traceId = spans[0].traceId;
    // The timeline reads it as column batches (traces:columns), encoded when it opens the trace.
    fake.columnBatchSize = 10_000;
    fake.data.traces[traceId] = spans;
    return { traceId, spans: spans.length, fetchMs: t1 - t0, parseMs: t2 - t1 };
  })();
}
