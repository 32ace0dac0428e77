import type { Serve } from './serve.js';
export async function wireFuzz(_o: { serve: Serve; seed: number; count: number }): Promise<{ failures: string[] }> {
  return { failures: [] };
}
