import type { Command } from 'commander';

export function registerBoxes(_program: Command): void {
  // filled in by its owner
}
