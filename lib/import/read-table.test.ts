import fc from 'fast-check';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { detectEncoding } from './decode-text';
import { ImportFileError } from './issues';
import { readTable } from './read-table';

const COLUMNS = ['id', 'name', 'phone'] as const;
/** Common characters of names and places (all in GBK). */
const HANZI = '张王李赵刘陈杨黄周吴北山西湖街道社区网格派出所消防一二三号路口东南中心';
const arbName = fc.array(fc.constantFrom(...HANZI), { minLength: 1, maxLength: 12 }).map((a) => a.join(''));

describe('readTable', () => {
  it('property: a CSV of Chinese names reads the same in UTF-8, UTF-8 with BOM and GBK', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(arbName, { minLength: 1, maxLength: 20 }), async (names) => {
        const text = `id,name,phone\r\n${names.map((n, i) => `u${i},${n},1390000${i}`).join('\r\n')}\r\n`;
        for (const bytes of [
          Buffer.from(text, 'utf8'),
          Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]),
          iconv.encode(text, 'gbk'),
        ]) {
          const t = await readTable(bytes, COLUMNS);
          expect(t.headers).toEqual(['id', 'name', 'phone']);
          expect(t.rows.map((r) => r.values.name)).toEqual(names);
          expect(t.rows.map((r) => r.row)).toEqual(names.map((_, i) => i + 2));
        }
        expect(detectEncoding(iconv.encode(text, 'gbk'))).toBe('gbk');
      }),
      { numRuns: 40 },
    );
  });

  it('reads GBK whose bytes happen to be valid UTF-8 (路 is C2 B7 in GBK, · in UTF-8) as GBK', async () => {
    const gbk = iconv.encode('id,name\r\nu1,路\r\n', 'gbk');
    expect(detectEncoding(gbk)).toBe('gbk');
    expect((await readTable(gbk, COLUMNS)).rows[0]!.values.name).toBe('路');
    // Chinese in UTF-8 (three bytes a character) stays UTF-8.
    expect(detectEncoding(Buffer.from('id,name\r\nu1,路口\r\n', 'utf8'))).toBe('utf-8');
  });

  it('an unclosed quote is refused with the row where the parser stopped', async () => {
    const err = await readTable(Buffer.from('id,name\nu1,"甲\nu2,乙\n'), COLUMNS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportFileError);
    expect((err as ImportFileError).at).toMatch(/^row \d+$/);
  });

  it('property: any bytes are read as rows or refused with a place, never thrown otherwise', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (b) => {
        try {
          await readTable(b, COLUMNS);
        } catch (err) {
          expect(err).toBeInstanceOf(ImportFileError);
        }
      }),
    );
    // A file in the wrong encoding (UTF-16, as some tools save "Unicode text") reads as rows, never crashes.
    const utf16 = Buffer.from('\ufeffid,name\nu1,张三\n', 'utf16le');
    const t = await readTable(utf16, COLUMNS).catch((e: unknown) => e);
    expect(t instanceof ImportFileError || Array.isArray((t as { rows: unknown[] }).rows)).toBe(true);
  });
});
