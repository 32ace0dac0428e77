import { create } from 'zustand';
import type { Box, EngineStatus, PullProgress, AppInfo } from '../../../shared/models.js';
import type { ErrorInfo } from '../../../shared/errors.js';
import { parseHash, type Route } from './route.js';

export type Theme = 'light' | 'dark';

export interface BannerError extends ErrorInfo {
  id: number;
  context?: string;
}

interface AppState {
  route: Route;
  theme: Theme;
  info?: AppInfo;
  engine?: EngineStatus;
  boxes: Record<string, Box>;
  boxesLoaded: boolean;
  /** Latest progress per box. */
  pulls: Record<string, PullProgress>;
  errors: BannerError[];
  helpOpen: boolean;
  setRoute(r: Route): void;
  setTheme(t: Theme): void;
  setInfo(i: AppInfo): void;
  setEngine(e: EngineStatus): void;
  setBoxes(list: Box[]): void;
  upsertBox(b: Box): void;
  setPull(p: PullProgress): void;
  pushError(e: ErrorInfo, context?: string): void;
  dismissError(id: number): void;
  setHelp(open: boolean): void;
}

let errorSeq = 0;

function initialTheme(): Theme {
  try {
    const saved = window.localStorage.getItem('boxscope.theme');
    if (saved === 'light' || saved === 'dark') return saved;
  } catch {
    /* storage can be unavailable under a custom protocol */
  }
  return typeof window.matchMedia === 'function' && window.matchMedia('(prefers-color-scheme: dark)').matches
    ? 'dark'
    : 'light';
}

export const useApp = create<AppState>((set) => ({
  route: parseHash(typeof window === 'undefined' ? '' : window.location.hash),
  theme: typeof window === 'undefined' ? 'light' : initialTheme(),
  boxes: {},
  boxesLoaded: false,
  pulls: {},
  errors: [],
  helpOpen: false,
  setRoute: (route) => set({ route }),
  setTheme: (theme) => {
    try {
      window.localStorage.setItem('boxscope.theme', theme);
    } catch {
      /* not persisted; the choice still applies now */
    }
    set({ theme });
  },
  setInfo: (info) => set({ info }),
  setEngine: (engine) => set({ engine }),
  setBoxes: (list) =>
    set(() => {
      const boxes: Record<string, Box> = {};
      for (const b of list) if (b.state !== 'removed') boxes[b.boxId] = b;
      return { boxes, boxesLoaded: true };
    }),
  upsertBox: (b) =>
    set((s) => {
      const boxes = { ...s.boxes };
      if (b.state === 'removed') delete boxes[b.boxId];
      else boxes[b.boxId] = b;
      return { boxes };
    }),
  setPull: (p) => set((s) => ({ pulls: { ...s.pulls, [p.boxId || p.requestId]: p } })),
  pushError: (e, context) =>
    set((s) => ({
      errors: [...s.errors.filter((x) => x.message !== e.message), { ...e, id: ++errorSeq, context }].slice(-4),
    })),
  dismissError: (id) => set((s) => ({ errors: s.errors.filter((e) => e.id !== id) })),
  setHelp: (helpOpen) => set({ helpOpen }),
}));
