export interface Serve {
  url: string;
  otlp?: string;
  pid: number;
  home: string;
  rssMB(): number;
  peakRssMB(): number;
  output(): string;
  stop(opts?: { keepHome?: boolean }): Promise<void>;
}
export function startServe(opts?: { home?: string; env?: Record<string, string> }): Promise<Serve>;
