/**
 * xterm.js writes its DOM renderer's rules (cell size, theme colours,
 * scrollbar) as text into <style> elements it creates, which the app's CSP
 * (`style-src 'self'`, no inline styles) refuses — even an empty <style>
 * element in the page is a violation. While a terminal opens, each <style>
 * element it asks for is an inert <template> instead, whose text (and
 * `sheet`) is a constructable stylesheet adopted by the document: CSSOM,
 * which the CSP allows, with the same rules.
 *
 * Its rows also set a few colours (24-bit colours from the box, the
 * selection's) with `setAttribute('style', …)`, also refused; the row
 * factory's one helper for that is made to set the same declarations through
 * CSSOM (`element.style`). That helper is xterm's internal (`_addStyle`,
 * @xterm/xterm 6): if a later version moves it, the patch is skipped and the
 * e2e journey's CSP check says so.
 */
import type { Terminal } from '@xterm/xterm';

function standIn(doc: Document, node: HTMLElement, sheets: CSSStyleSheet[]): void {
  const sheet = new CSSStyleSheet();
  sheets.push(sheet);
  doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, sheet];
  let text = '';
  const set = (v: unknown) => {
    text = v == null ? '' : String(v);
    try {
      sheet.replaceSync(text);
    } catch {
      // A rule the engine cannot parse: the terminal keeps its previous look.
    }
  };
  for (const prop of ['textContent', 'innerText', 'innerHTML'] as const)
    Object.defineProperty(node, prop, { configurable: true, get: () => text, set });
  Object.defineProperty(node, 'sheet', { configurable: true, get: () => sheet });
  for (const prop of ['type', 'media'] as const)
    Object.defineProperty(node, prop, { configurable: true, writable: true, value: '' });
}

interface RowFactoryProto {
  _addStyle?: (el: HTMLElement, style: string) => void;
}
const patchedFactories = new WeakSet<object>();

function cssomCellStyles(term: Terminal): boolean {
  type Internals = { _core?: { _renderService?: { _renderer?: { value?: { _rowFactory?: object } } } } };
  const factory = (term as unknown as Internals)._core?._renderService?._renderer?.value?._rowFactory;
  if (!factory) return false;
  const proto = Object.getPrototypeOf(factory) as RowFactoryProto;
  if (typeof proto._addStyle !== 'function') return false;
  if (!patchedFactories.has(proto)) {
    proto._addStyle = (el: HTMLElement, style: string) => {
      el.style.cssText += `${style};`;
    };
    patchedFactories.add(proto);
  }
  return true;
}

/** `term.open(el)` with xterm's <style> elements turned into adopted sheets; the returned function removes them. */
export function openTerminal(term: Terminal, el: HTMLElement): () => void {
  const doc = el.ownerDocument;
  const sheets: CSSStyleSheet[] = [];
  const create = doc.createElement;
  const make = create as (this: Document, tag: string, opts?: ElementCreationOptions) => HTMLElement;
  doc.createElement = function (this: Document, tag: string, opts?: ElementCreationOptions) {
    if (String(tag).toLowerCase() !== 'style') return make.call(this, tag, opts);
    const node = make.call(this, 'template');
    standIn(doc, node, sheets);
    return node;
  } as Document['createElement'];
  try {
    term.open(el);
  } finally {
    // Own property off: the prototype's createElement is back.
    delete (doc as { createElement?: unknown }).createElement;
    if (doc.createElement !== create) doc.createElement = create;
  }
  if (!cssomCellStyles(term)) {
    // The renderer may come with the first frame: patch it then.
    const once = term.onRender(() => {
      cssomCellStyles(term);
      once.dispose();
    });
  }
  return () => {
    doc.adoptedStyleSheets = doc.adoptedStyleSheets.filter((s) => !sheets.includes(s));
  };
}
