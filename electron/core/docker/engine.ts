import type { EngineStatus } from '../../../shared/models.js';

export async function engineStatus(_env: NodeJS.ProcessEnv): Promise<EngineStatus> {
  return { reachable: false, endpoint: 'unknown', message: 'not implemented yet' };
}
