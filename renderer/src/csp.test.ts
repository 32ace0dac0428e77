import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const here = path.dirname(new URL(import.meta.url).pathname);
const read = (p: string) => fs.readFileSync(path.join(here, p), 'utf8');

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(here, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return sources(rel);
    return /\.(tsx?|css)$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) && !rel.startsWith('test') ? [rel] : [];
  });
}

describe('CSP-friendly page', () => {
  it('declares a strict policy and has no inline script', () => {
    const html = read('../index.html');
    const csp = /Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    for (const tag of html.match(/<script\b[^>]*>[\s\S]*?<\/script>/g) ?? []) expect(tag).toMatch(/\ssrc=/);
  });

  it('loads nothing remote and evaluates no strings', () => {
    const files = sources('.');
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const text = read(file);
      expect(text, file).not.toMatch(/@import\s+url\(\s*['"]?https?:|fonts\.googleapis|cdn\./);
      expect(text, file).not.toMatch(/\beval\(|new Function\(|dangerouslySetInnerHTML/);
    }
  });
});
