import type { Command } from 'commander';

export function registerLaunch(_program: Command): void {
  // filled in by its owner
}
