import { useRef, useState, type PointerEvent } from 'react';

/**
 * Drag across an element to pick a stretch of it, as fractions 0..1 of its
 * width. `onPick` gets the ordered range on release when it is wider than
 * `minWidth`; the live range is returned while the pointer is down.
 */
export function useDragRange<T extends HTMLElement>(onPick: (from: number, to: number) => void, minWidth: number) {
  const ref = useRef<T>(null);
  const [drag, setDrag] = useState<[number, number] | null>(null);
  const frac = (clientX: number) => {
    const r = ref.current!.getBoundingClientRect();
    return Math.max(0, Math.min(1, (clientX - r.left) / (r.width || 1)));
  };
  const handlers = {
    onPointerDown: (e: PointerEvent<T>) => {
      const f = frac(e.clientX);
      (e.target as Element).setPointerCapture?.(e.pointerId);
      setDrag([f, f]);
    },
    onPointerMove: (e: PointerEvent<T>) => drag && setDrag([drag[0], frac(e.clientX)]),
    onPointerUp: () => {
      if (drag && Math.abs(drag[1] - drag[0]) > minWidth) onPick(Math.min(...drag), Math.max(...drag));
      setDrag(null);
    },
  };
  return { ref, drag, handlers };
}
