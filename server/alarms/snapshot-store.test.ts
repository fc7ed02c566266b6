import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSnapshot, MAX_SNAPSHOT_BYTES, SnapshotStore } from './snapshot-store';

const jpeg = (n: number) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(n, 7)]);

describe('alarm snapshots', () => {
  it('takes JPEG and PNG by their bytes, as base64 or a data URL', () => {
    expect(decodeSnapshot(jpeg(10).toString('base64'))).toMatchObject({ ok: true, type: 'jpeg' });
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);
    expect(decodeSnapshot(`data:image/png;base64,${png.toString('base64')}`)).toMatchObject({ type: 'png' });
  });

  it('refuses text named as an image, broken base64 and oversized pictures', () => {
    expect(decodeSnapshot(Buffer.from('GIF89a not ours').toString('base64'))).toEqual({
      ok: false,
      reason: 'snapshot_not_image',
    });
    expect(decodeSnapshot('###')).toEqual({ ok: false, reason: 'snapshot_not_base64' });
    expect(decodeSnapshot(jpeg(MAX_SNAPSHOT_BYTES).toString('base64'))).toEqual({
      ok: false,
      reason: 'snapshot_too_large',
    });
  });

  it('stores a picture once, by its sha256', () => {
    const store = new SnapshotStore(fs.mkdtempSync(path.join(os.tmpdir(), 'pingan-snap-')));
    const a = store.put(jpeg(100), 'jpeg');
    expect(store.put(jpeg(100), 'jpeg')).toBe(a);
    expect(fs.readFileSync(store.find(a)!.file).equals(jpeg(100))).toBe(true);
    expect(store.find('../../etc/passwd')).toBeNull();
  });
});
