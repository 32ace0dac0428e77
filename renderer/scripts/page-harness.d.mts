import type { Browser } from 'playwright-core';

export const repoRoot: string;
export const distDir: string;
export function buildRenderer(): void;
export function harnessScript(options: unknown): Promise<string>;
export function serve(extra?: Record<string, string>): Promise<{ url: string; close(): Promise<void> }>;
export function launchChromium(): Promise<Browser>;
