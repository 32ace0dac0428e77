import { useEffect, useRef, useState, memo } from 'react';
import { useDragRange } from './use-drag-range.js';
import { useTraceView } from '../../state/trace-view-store.js';
import { ERROR_COLOR, serviceColor } from './colors.js';
import { hexRgb, overviewPixels } from '../../model/overview.js';
import './Minimap.css';

const HEIGHT = 56;
/** Up to this many spans each gets its own bar; beyond, the minimap shows their density. */
const BAR_LIMIT = 4000;
/** The density picture (a pass over every span) is redrawn at most this often while a trace grows live. */
const REDRAW_MS = 250;

/**
 * The whole trace in miniature (fully expanded order; a density picture for
 * big traces, redrawn only when the model, clock or width changes) with the
 * visible time window outlined. Drag across it to zoom; double-click to reset.
 */
function MinimapView() {
  const model = useTraceView((s) => s.model);
  const start = useTraceView((s) => s.start);
  const finish = useTraceView((s) => s.finish);
  const bounds = useTraceView((s) => s.bounds);
  const zoom = useTraceView((s) => s.zoom);
  const setZoom = useTraceView((s) => s.setZoom);
  const canvas = useRef<HTMLCanvasElement>(null);
  const { ref: box, drag, handlers } = useDragRange<HTMLDivElement>((from, to) => setZoom([from, to]), 0.002);
  const [width, setWidth] = useState(800);
  const lastDraw = useRef(-Infinity);

  useEffect(() => {
    const el = box.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => setWidth(Math.max(100, Math.floor(el.clientWidth))));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const c = canvas.current;
    const ctx = c?.getContext?.('2d');
    if (!c || !ctx || !model) return;
    if (model.size > BAR_LIMIT) {
      // Many spans: a picture of the density, one pixel per device-independent pixel.
      const draw = () => {
        lastDraw.current = performance.now();
        c.width = width;
        c.height = HEIGHT;
        const colors = model.services.map((s) => hexRgb(serviceColor(s)));
        const px = overviewPixels(model, start, finish, bounds, width, HEIGHT, colors, hexRgb(ERROR_COLOR));
        ctx.putImageData(new ImageData(px, width, HEIGHT), 0, 0);
      };
      // Live appends change the model many times a second: the last one is drawn, at most every REDRAW_MS.
      const wait = lastDraw.current + REDRAW_MS - performance.now();
      if (wait <= 0) return void draw();
      const timer = setTimeout(draw, wait);
      return () => clearTimeout(timer);
    }
    const dpr = window.devicePixelRatio || 1;
    c.width = width * dpr;
    c.height = HEIGHT * dpr;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, HEIGHT);
    const span = bounds.max - bounds.min || 1;
    const n = model.size;
    const pitch = HEIGHT / Math.max(n, 1);
    // Few spans: thin bars with gaps; more: one pixel row shared by several spans.
    const rowH = Math.max(Math.min(pitch - 1, 5), 1);
    const colors = model.services.map(serviceColor);
    // Batch by colour: one path per service is far cheaper than a fillStyle change per span.
    for (let sv = 0; sv < colors.length; sv++) {
      ctx.fillStyle = colors[sv];
      ctx.beginPath();
      for (let i = 0; i < n; i++) {
        if (model.serviceOf[i] !== sv || model.status[i] === 2) continue;
        const x = ((start[i] - bounds.min) / span) * width;
        const w = Math.max(((finish[i] - start[i]) / span) * width, 1);
        ctx.rect(x, i * pitch + (pitch - rowH) / 2, w, rowH);
      }
      ctx.fill();
    }
    ctx.fillStyle = ERROR_COLOR;
    ctx.beginPath();
    for (const i of model.errors) {
      const x = ((start[i] - bounds.min) / span) * width;
      ctx.rect(
        x,
        i * pitch + (pitch - rowH) / 2,
        Math.max(((finish[i] - start[i]) / span) * width, 2),
        Math.max(rowH, 1.5),
      );
    }
    ctx.fill();
  }, [model, start, finish, bounds, width]);

  const shown = drag ?? zoom;
  const left = Math.min(shown[0], shown[1]);
  const right = Math.max(shown[0], shown[1]);
  return (
    <div
      className="minimap"
      ref={box}
      title="Drag to zoom the timeline; double-click to show everything"
      {...handlers}
      onDoubleClick={() => setZoom([0, 1])}
    >
      <canvas ref={canvas} style={{ width, height: HEIGHT }} aria-label="Trace overview" />
      <div className="minimap-shade" style={{ left: 0, width: `${left * 100}%` }} />
      <div className="minimap-window" style={{ left: `${left * 100}%`, width: `${(right - left) * 100}%` }} />
      <div className="minimap-shade" style={{ left: `${right * 100}%`, right: 0 }} />
    </div>
  );
}

/** Memoized: selection and scrolling re-render the list, not this. */
export const Minimap = memo(MinimapView);
