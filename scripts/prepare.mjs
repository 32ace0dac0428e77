// npm's `prepare` step, run by `npm ci` and `npm install` in this repo: leaves
// a working tree, so every command the README shows works right after it. It
// builds for this machine only (scripts/build-host.mjs); without Go it says so
// in one line and builds everything else.
import { buildHost, stopChildrenOnSignal } from './build-host.mjs';

stopChildrenOnSignal();
const ok = await buildHost();
process.exitCode = ok ? 0 : 1;
