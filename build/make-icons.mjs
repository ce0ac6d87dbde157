// Draws the app icon (a small graph on a blue tile) as PNGs for electron-builder:
// build/icons/<n>x<n>.png for Linux, and the 1024 px one from which macOS and Windows icons are
// derived. Run with `node build/make-icons.mjs`; the outputs are committed.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'icons');
const NODES = [
  [0.25, 0.28],
  [0.72, 0.34],
  [0.38, 0.72],
  [0.75, 0.75],
];
const EDGES = [
  [0, 1],
  [0, 2],
  [1, 2],
  [1, 3],
  [2, 3],
];

function segmentDistance(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

function draw(n) {
  const png = new PNG({ width: n, height: n });
  const radius = 0.19;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const u = (x + 0.5) / n;
      const v = (y + 0.5) / n;
      // Rounded square tile, anti-aliased over one pixel.
      const qx = Math.max(Math.abs(u - 0.5) - (0.5 - radius), 0);
      const qy = Math.max(Math.abs(v - 0.5) - (0.5 - radius), 0);
      const tile = Math.min(1, Math.max(0, (radius - Math.hypot(qx, qy)) * n + 0.5));
      const edge = Math.min(...EDGES.map(([a, b]) => segmentDistance(u, v, NODES[a], NODES[b])));
      const node = Math.min(...NODES.map(([a, b]) => Math.hypot(u - a, v - b)));
      const white = Math.max(
        Math.min(1, Math.max(0, (0.025 - edge) * n + 0.5)),
        Math.min(1, Math.max(0, (0.085 - node) * n + 0.5)),
      );
      const i = 4 * (y * n + x);
      png.data[i] = Math.round(47 + (255 - 47) * white);
      png.data[i + 1] = Math.round(111 + (255 - 111) * white);
      png.data[i + 2] = Math.round(179 + (255 - 179) * white);
      png.data[i + 3] = Math.round(255 * tile);
    }
  }
  return PNG.sync.write(png);
}

mkdirSync(out, { recursive: true });
for (const n of [16, 32, 48, 64, 128, 256, 512, 1024])
  writeFileSync(path.join(out, `${n}x${n}.png`), draw(n));
