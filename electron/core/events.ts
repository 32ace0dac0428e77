import { EventEmitter } from 'node:events';
import type { CoreEvents } from './contracts.js';

export function createEvents(): CoreEvents {
  const ee = new EventEmitter();
  ee.setMaxListeners(0);
  return {
    emit: (event, payload) => void ee.emit(event, payload),
    on: (event, listener) => {
      ee.on(event, listener as (p: unknown) => void);
      return () => void ee.off(event, listener as (p: unknown) => void);
    },
  };
}
