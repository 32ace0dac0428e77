/** The sidebar's pages, with the key that follows `g` to reach each: the help names them the same way. */
import type { Page } from '../state/route.js';

export const NAV: ReadonlyArray<{ page: Page; label: string; key: string }> = [
  { page: 'launch', label: 'Launch', key: 'l' },
  { page: 'boxes', label: 'Boxes', key: 'b' },
  { page: 'traces', label: 'Traces', key: 't' },
  { page: 'settings', label: 'Settings', key: 's' },
];
