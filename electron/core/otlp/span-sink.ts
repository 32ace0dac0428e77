/**
 * Where a trace file's walkers (JSON, protobuf) put what they find: it holds
 * the spans of a resource or scope not known yet, decodes spans a group at a
 * time with the whole-file decoders (fromExportRequest, fromJaeger), and
 * keeps the decoded SpanRecords until taken.
 */
import type { SpanRecord } from '../../../shared/models.js';
import type { BoxscopeError } from '../../../shared/errors.js';
import { fromExportRequest } from './decode.js';
import { fromJaeger } from './jaeger.js';

type Loose = Record<string, unknown>;

/** Spans decoded together: few enough to emit early, enough to spread each call's cost. */
const GROUP = 250;

interface Resource {
  fields: Loose;
  known: boolean;
  held: Scope[];
}
interface Scope {
  fields: Loose;
  known: boolean;
  spans: unknown[];
}
interface JaegerTrace {
  fields: Loose;
  known: boolean;
  spans: unknown[];
  /** Spans seen before the trace's processes: their bytes, parsed only once they can be decoded. */
  raw: Array<[Uint8Array, number]>;
}

/** Held Jaeger spans whose trace is known now, decoded a group at a time as they are taken. */
interface Ready {
  fields: Loose;
  raw: Array<[Uint8Array, number]>;
  next: number;
}

const isObj = (v: unknown): v is Loose => !!v && typeof v === 'object' && !Array.isArray(v);

export class SpanSink {
  private out: SpanRecord[] = [];
  private readonly resources: Resource[] = [];
  private readonly scopes: Scope[] = [];
  private readonly jaeger: JaegerTrace[] = [];
  private readonly ready: Ready[] = [];
  docFormat: 'none' | 'otlp' | 'jaeger' = 'none';
  /** Where the current JSON document starts. */
  docAt = 0;
  /** Spans decoded, and spans the decoder refused (bad ids, times) with its first reason. */
  decoded = 0;
  rejected = 0;
  rejectReason?: string;

  constructor(
    private readonly fileName: string | undefined,
    private readonly bad: (reason: string) => BoxscopeError,
    /** JSON.parse of one span's bytes (starting at byte `at`), saying where it is broken. */
    private readonly parseSpan: (bytes: Uint8Array, at: number) => unknown = () => {
      throw bad('a held span cannot be parsed');
    },
  ) {}

  /**
   * Spans decoded since the last take: those decoded on the way, then, up to `limit` in all, Jaeger
   * spans that were held for their processes (so the first of a big file go out before the rest are
   * decoded).
   */
  take(limit = Infinity): SpanRecord[] {
    while (this.ready.length && this.out.length < limit) {
      const r = this.ready[0]!;
      const group = r.raw.slice(r.next, r.next + GROUP);
      r.next += group.length;
      if (r.next >= r.raw.length) this.ready.shift();
      const spans = group.map(([bytes, at]) => this.parseSpan(bytes, at));
      this.emit(fromJaeger({ data: [{ ...r.fields, spans }] }, this.fileName));
    }
    const out = this.out;
    this.out = [];
    return out;
  }

  /** Spans are held for later decoding: what take() has still to give. */
  get holding(): boolean {
    return this.ready.length > 0;
  }

  /**
   * One Jaeger span's bytes. Parsed now when its trace's processes are known and nothing is queued
   * before it; otherwise kept as bytes (a fraction of the memory and collector work of parsed
   * objects) until they are.
   */
  jaegerSpan(bytes: Uint8Array, at: number): void {
    const t = this.jaeger[this.jaeger.length - 1]!;
    if (t.known && !this.ready.length) {
      this.accept('jspans', undefined, this.parseSpan(bytes, at));
      return;
    }
    t.raw.push([Uint8Array.prototype.slice.call(bytes) as Uint8Array, at]);
    if (t.known) this.release(t);
  }

  /** The trace's held spans can be decoded now: queue them, in order, behind what is queued. */
  private release(t: JaegerTrace): void {
    this.decodeParsed(t);
    if (t.raw.length) this.ready.push({ fields: { ...t.fields }, raw: t.raw, next: 0 });
    t.raw = [];
  }

  private emit(spans: SpanRecord[]): void {
    this.decoded += spans.length;
    for (const s of spans) this.out.push(s);
  }

  private decodeOtlp(resource: Resource, scope: Scope): void {
    if (scope.spans.length === 0) return;
    const r = fromExportRequest({
      resourceSpans: [{ ...resource.fields, scopeSpans: [{ ...scope.fields, spans: scope.spans }] }],
    });
    scope.spans = [];
    if (r.rejected) {
      this.rejected += r.rejected;
      this.rejectReason ??= r.rejectReason;
    }
    this.emit(r.spans);
  }

  private decodeJaeger(t: JaegerTrace): void {
    if (t.raw.length) this.release(t);
    else this.decodeParsed(t);
  }

  private decodeParsed(t: JaegerTrace): void {
    if (t.spans.length === 0) return;
    const spans = t.spans;
    t.spans = [];
    this.emit(fromJaeger({ data: [{ ...t.fields, spans }] }, this.fileName));
  }

  /** A container of `kind` opens (JSON object or array, protobuf message). */
  opened(kind: string): void {
    if (kind === 'root') {
      this.docFormat = 'none';
      this.jaeger.push({ fields: {}, known: false, spans: [], raw: [] });
    } else if (kind === 'rsList') this.docFormat = 'otlp';
    else if (kind === 'data' || kind === 'jspans') this.docFormat = 'jaeger';
    else if (kind === 'rs') this.resources.push({ fields: {}, known: false, held: [] });
    else if (kind === 'ss') this.scopes.push({ fields: {}, known: false, spans: [] });
    else if (kind === 'jtrace') this.jaeger.push({ fields: {}, known: false, spans: [], raw: [] });
  }

  closed(kind: string): void {
    if (kind === 'ss') {
      const s = this.scopes.pop()!;
      const r = this.resources[this.resources.length - 1]!;
      if (r.known) this.decodeOtlp(r, s);
      else if (s.spans.length) r.held.push(s);
    } else if (kind === 'rs') {
      const r = this.resources.pop()!;
      for (const s of r.held) this.decodeOtlp(r, s);
    } else if (kind === 'jtrace' || kind === 'root') {
      this.decodeJaeger(this.jaeger.pop()!);
      if (kind === 'root' && this.docFormat === 'none') {
        const where = this.docAt ? ` at byte ${this.docAt}` : '';
        throw this.bad(`neither OTLP JSON (resourceSpans) nor Jaeger JSON (data[].spans)${where}`);
      }
    }
  }

  /** A decoded value: a span, a resource, a scope, Jaeger processes. */
  accept(kind: string, key: string | undefined, v: unknown): void {
    const resource = () => this.resources[this.resources.length - 1]!;
    const scope = () => this.scopes[this.scopes.length - 1]!;
    const trace = () => this.jaeger[this.jaeger.length - 1]!;
    const decodeNow = () => this.decodeOtlp(resource(), scope());
    switch (kind) {
      case 'spans': {
        const s = scope();
        s.spans.push(v);
        if (s.known && resource().known && s.spans.length >= GROUP) decodeNow();
        return;
      }
      case 'jspans': {
        const t = trace();
        t.spans.push(v);
        if (t.known && t.spans.length >= GROUP) this.decodeJaeger(t);
        return;
      }
      case 'rs': {
        const r = resource();
        r.fields.resource = v;
        r.known = true;
        for (const s of r.held) this.decodeOtlp(r, s);
        r.held = [];
        return;
      }
      case 'ss': {
        const s = scope();
        s.fields[key!] = v;
        s.known = true;
        return;
      }
      case 'jtrace':
      case 'root': {
        const t = trace();
        t.fields[key!] = v;
        if (key === 'processes') t.known = isObj(v);
        if (t.known && t.raw.length) this.release(t);
        return;
      }
    }
  }
}
