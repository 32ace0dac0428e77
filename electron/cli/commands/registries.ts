import type { Command } from 'commander';

export function registerRegistries(_program: Command): void {
  // filled in by its owner
}
