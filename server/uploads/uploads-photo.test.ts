import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { isRejection, MAX_UPLOAD_BYTES, processPhoto, sniffImageType, type ProcessedPhoto } from './photo';

/** A real JPEG, 64×32, carrying EXIF the way a phone writes it: orientation 6 (turn 90°) and an owner. */
async function phoneJpeg(): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 32, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .jpeg()
    .withMetadata({ orientation: 6, exif: { IFD0: { Artist: 'Zhang San', Copyright: 'secret-serial-123' } } })
    .toBuffer();
}

function accepted(r: Awaited<ReturnType<typeof processPhoto>>): ProcessedPhoto {
  if (isRejection(r)) throw new Error(`refused: ${r.reason}`);
  return r;
}

describe('photo upload checks', () => {
  it('reads the type from the bytes, not the name', async () => {
    expect(sniffImageType(await phoneJpeg())).toBe('jpeg');
    // What a "photo.jpg" that is really a text file (or a script) holds.
    const fake = Buffer.from('<?php echo "not an image"; ?>\n'.repeat(10));
    expect(sniffImageType(fake)).toBeNull();
    const r = await processPhoto(fake);
    expect(isRejection(r) && r.reason).toBe('not_an_image');
    expect(isRejection(r) && r.status).toBe(415);
  });

  it('refuses HEIC by name (the prebuilt decoder has no HEVC) and a JPEG header over undecodable bytes', async () => {
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypheic'), Buffer.alloc(64)]);
    expect(sniffImageType(heic)).toBe('heic');
    const r = await processPhoto(heic);
    expect(isRejection(r) && r.reason).toBe('heic_unsupported');
    const broken = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 7)]);
    const b = await processPhoto(broken);
    expect(isRejection(b) && b.reason).toBe('undecodable');
  });

  it('refuses an upload over the size limit before decoding it', async () => {
    const big = Buffer.alloc(MAX_UPLOAD_BYTES + 1);
    big.set([0xff, 0xd8, 0xff], 0);
    const r = await processPhoto(big);
    expect(isRejection(r) && r.reason).toBe('too_large');
    expect(isRejection(r) && r.status).toBe(413);
    expect(isRejection(await processPhoto(Buffer.alloc(0)))).toBe(true);
  });

  it('strips EXIF, turns the picture upright and makes a thumbnail', async () => {
    const input = await phoneJpeg();
    const before = await sharp(input).metadata();
    expect(before.exif).toBeDefined();
    expect(before.orientation).toBe(6);
    const out = accepted(await processPhoto(input));
    const after = await sharp(out.data).metadata();
    expect(after.exif).toBeUndefined();
    expect(after.orientation).toBeUndefined();
    expect(after.icc).toBeUndefined();
    expect(out.data.includes(Buffer.from('secret-serial-123'))).toBe(false);
    expect(out.data.includes(Buffer.from('Zhang San'))).toBe(false);
    // Orientation 6 is honoured: the 64×32 sensor picture is stored 32×64, upright.
    expect([out.width, out.height]).toEqual([32, 64]);
    expect([after.width, after.height]).toEqual([32, 64]);
    const thumb = await sharp(out.thumb).metadata();
    expect(thumb.format).toBe('jpeg');
    expect(thumb.exif).toBeUndefined();
    expect(out.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names a photo by its stored bytes: the same photo twice has one name, another photo another', async () => {
    const a = accepted(await processPhoto(await phoneJpeg()));
    const again = accepted(await processPhoto(await phoneJpeg()));
    expect(again.hash).toBe(a.hash);
    const png = await sharp({ create: { width: 40, height: 40, channels: 4, background: '#00ff00' } })
      .png()
      .toBuffer();
    const p = accepted(await processPhoto(png));
    expect(p.mime).toBe('image/jpeg');
    expect(p.hash).not.toBe(a.hash);
  });
});
