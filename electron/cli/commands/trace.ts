import type { Command } from 'commander';

export function registerTrace(_program: Command): void {
  // filled in by its owner
}
