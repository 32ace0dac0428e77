/**
 * Live box stats for the whole renderer: one `boxes:stats` stream (every
 * running box) shared by the list's column and the box page's chart, opened
 * while anything shows stats and closed when nothing does.
 */
import { useEffect } from 'react';
import { create } from 'zustand';
import type { BoxStats } from '../../../../shared/models.js';
import { listen } from '../../api/client.js';

/** Samples kept per box (about a minute). */
export const KEEP = 60;
/** A sample older than this is not "now" any more (the box stopped, or the stream dropped). */
export const STALE_MS = 5000;

interface StatsState {
  byBox: Record<string, BoxStats[]>;
}

export const useStats = create<StatsState>(() => ({ byBox: {} }));

export function pushStats(s: BoxStats): void {
  useStats.setState((st) => {
    const prev = st.byBox[s.boxId] ?? [];
    const next = prev.length >= KEEP ? prev.slice(prev.length - KEEP + 1) : prev.slice();
    next.push(s);
    return { byBox: { ...st.byBox, [s.boxId]: next } };
  });
}

let users = 0;
let stop: (() => void) | undefined;
let retry: ReturnType<typeof setTimeout> | undefined;

function open(): void {
  stop = listen(
    'boxes:stats',
    {},
    {
      data: pushStats,
      // The core ended it (a reconnect, an engine restart): follow again while someone still looks.
      end: () => {
        stop = undefined;
        if (users > 0) retry = setTimeout(open, 3000);
      },
    },
  );
}

/** Keeps the shared stats stream open while the calling component is mounted. */
export function useStatsFeed(): void {
  useEffect(() => {
    if (users++ === 0) open();
    return () => {
      if (--users > 0) return;
      clearTimeout(retry);
      stop?.();
      stop = undefined;
    };
  }, []);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

export function formatCpu(p: number): string {
  return `${p < 10 ? p.toFixed(1) : Math.round(p)}%`;
}

/** The box's latest sample if it is recent. */
export function currentStats(samples: BoxStats[] | undefined, now = Date.now()): BoxStats | undefined {
  const last = samples?.at(-1);
  return last && now - last.at < STALE_MS ? last : undefined;
}
