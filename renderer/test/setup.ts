/**
 * Every renderer test file: let timers the virtualized list starts when it
 * scrolls (its scroll-end debounce) run out while the page still exists, so
 * none fires into a torn-down jsdom after the file's last test.
 */
import { afterAll } from 'vitest';

afterAll(() => new Promise<void>((resolve) => setTimeout(resolve, 400)));
