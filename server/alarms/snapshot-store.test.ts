import { describe, expect, it } from 'vitest';
import { decodeSnapshot, MAX_SNAPSHOT_BYTES, snapshotFilePath } from './snapshot-store';

const jpeg = (n: number) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(n, 7)]);

// Storing and reading them needs the database: tests/integration/sql-backends-alarm-snapshots.test.ts.
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

  it('names a legacy file only by a sha256, never a path', () => {
    const sha = 'ab'.repeat(32);
    expect(snapshotFilePath('/u/alarm-snapshots', sha, 'png')).toBe(`/u/alarm-snapshots/ab/${sha}.png`);
    for (const bad of ['../../etc/passwd', sha.toUpperCase(), `${sha}/..`, ''])
      expect(() => snapshotFilePath('/u', bad, 'jpeg'), bad).toThrow(/not a snapshot name/);
  });
});
