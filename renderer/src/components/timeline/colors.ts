import { SERVICE } from '../../../../shared/constants.js';

const FIXED: Record<string, string> = {
  [SERVICE.ui]: '#8b5cf6',
  [SERVICE.runner]: '#2f7fd8',
  [SERVICE.daemon]: '#16a37f',
};

const PALETTE = ['#d9822b', '#c2417a', '#5c6bc0', '#00897b', '#7cb342', '#8d6e63', '#e0a800', '#546e7a'];

export function serviceColor(name: string): string {
  const fixed = FIXED[name];
  if (fixed) return fixed;
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) | 0;
  return PALETTE[Math.abs(h) % PALETTE.length];
}

export const ERROR_COLOR = '#e5484d';
