/* global Buffer, console */
// Regenerates public/ icons from app/icon.svg (the one source): node scripts/make-icons.mjs
// sharp ships with Next; the favicon.ico embeds PNGs (supported by every browser in use).
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

const root = path.resolve(import.meta.dirname, '..');
const svg = fs.readFileSync(path.join(root, 'app/icon.svg'));
const out = (f) => path.join(root, 'public', f);
const png = (size) =>
  sharp(svg, { density: Math.ceil((72 * size) / 64) + 1 })
    .resize(size, size)
    .png()
    .toBuffer();

fs.copyFileSync(path.join(root, 'app/icon.svg'), out('favicon.svg'));
for (const size of [192, 512]) fs.writeFileSync(out(`icon-${size}.png`), await png(size));
// Maskable: launchers crop to a circle; the shield keeps to the inner 80 %.
const inner = await sharp(svg, { density: 600 }).resize(410, 410).png().toBuffer();
await sharp({ create: { width: 512, height: 512, channels: 4, background: '#04102a' } })
  .composite([{ input: inner, gravity: 'center' }])
  .png()
  .toFile(out('icon-maskable-512.png'));

const sizes = [16, 32, 48];
const images = await Promise.all(sizes.map(png));
const header = Buffer.alloc(6 + 16 * sizes.length);
header.writeUInt16LE(1, 2); // type: icon
header.writeUInt16LE(sizes.length, 4);
let offset = header.length;
sizes.forEach((size, i) => {
  const e = 6 + 16 * i;
  header[e] = size;
  header[e + 1] = size;
  header.writeUInt16LE(1, e + 4); // colour planes
  header.writeUInt16LE(32, e + 6); // bits per pixel
  header.writeUInt32LE(images[i].length, e + 8);
  header.writeUInt32LE(offset, e + 12);
  offset += images[i].length;
});
fs.writeFileSync(out('favicon.ico'), Buffer.concat([header, ...images]));
console.log('icons written to public/');
