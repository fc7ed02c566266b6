import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { decodeText } from './decode-text';
import { ImportFileError } from './issues';

/** One data row: `row` is its number as a spreadsheet shows it (the header is row 1). */
export interface TableRow {
  row: number;
  values: Record<string, string>;
  /** Fields whose cell was a number too long to be exact (a 20-digit id typed as a number in Excel). */
  lossy: string[];
}

export interface Table {
  format: 'csv' | 'xlsx';
  encoding: 'utf-8' | 'gbk' | null;
  headers: string[];
  rows: TableRow[];
}

/** Rows read at most: past it the file is refused as a whole rather than half-checked. */
export const MAX_TABLE_ROWS = 1_000_000;

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/**
 * Header aliases: exports from Chinese systems often carry Chinese headers. Matched after trimming and
 * lower-casing; `regioncode` and `region_code` both mean regionCode.
 */
const HEADER_ALIASES: Record<string, string> = {
  编号: 'id',
  国标编码: 'id',
  名称: 'name',
  姓名: 'name',
  经度: 'lng',
  纬度: 'lat',
  坐标系: 'crs',
  区划代码: 'regionCode',
  视频流地址: 'streamUrl',
  车牌: 'plate',
  车牌号: 'plate',
  类型: 'kind',
  终端号: 'terminal',
  终端手机号: 'terminal',
  所属部门: 'departmentId',
  部门编号: 'departmentId',
  电话: 'phone',
  手机: 'phone',
  网格编码: 'gridCode',
  网格: 'gridCode',
  角色: 'role',
};

export function canonicalHeader(raw: string, known: readonly string[]): string {
  const h = raw.replace(/^\uFEFF/, '').trim();
  const alias = HEADER_ALIASES[h];
  if (alias) return alias;
  const flat = h.toLowerCase().replace(/[\s_-]/g, '');
  return known.find((k) => k.toLowerCase() === flat) ?? h;
}

/** A CSV (UTF-8 with or without BOM, or GBK, detected) or an XLSX workbook's first sheet. */
export async function readTable(bytes: Uint8Array, known: readonly string[]): Promise<Table> {
  return ZIP_MAGIC.every((b, i) => bytes[i] === b) ? readXlsx(bytes, known) : readCsv(bytes, known);
}

function readCsv(bytes: Uint8Array, known: readonly string[]): Table {
  const { text, encoding } = decodeText(bytes);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      to_line: MAX_TABLE_ROWS + 1,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (err) {
    const e = err as Error & { lines?: number };
    throw new ImportFileError(e.lines ? `row ${e.lines}` : 'file', `CSV 无法解析：${e.message}`);
  }
  const [header, ...data] = records;
  if (!header) throw new ImportFileError('row 1', '文件为空：第一行须为表头');
  const headers = header.record.map((h) => canonicalHeader(h, known));
  return {
    format: 'csv',
    encoding,
    headers,
    // The row is the file's line where the record ends (a quoted field may span lines): what an editor shows.
    rows: data.map((r) => ({ row: r.info.lines, values: toRecord(headers, r.record), lossy: [] })),
  };
}

function toRecord(headers: string[], cells: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((h, i) => {
    if (h) out[h] = (cells[i] ?? '').trim();
  });
  return out;
}

async function readXlsx(bytes: Uint8Array, known: readonly string[]): Promise<Table> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ArrayBuffer,
    );
  } catch (err) {
    throw new ImportFileError('file', `XLSX 无法读取：${(err as Error).message}`);
  }
  const sheet = wb.worksheets[0];
  if (!sheet) throw new ImportFileError('file', 'XLSX 中没有工作表');
  if (sheet.rowCount > MAX_TABLE_ROWS + 1)
    throw new ImportFileError('file', `超过 ${MAX_TABLE_ROWS} 行：请拆分文件`);
  const headerRow = sheet.getRow(1);
  const headers: string[] = [];
  headerRow.eachCell({ includeEmpty: true }, (cell, col) => {
    headers[col - 1] = canonicalHeader(cellText(cell.value).text, known);
  });
  if (headers.every((h) => !h)) throw new ImportFileError('row 1', '第一行须为表头');
  const rows: TableRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, n) => {
    if (n === 1) return;
    const values: Record<string, string> = {};
    const lossy: string[] = [];
    headers.forEach((h, i) => {
      if (!h) return;
      const { text, isLossy } = cellText(row.getCell(i + 1).value);
      values[h] = text.trim();
      if (isLossy) lossy.push(h);
    });
    if (Object.values(values).some((v) => v !== '')) rows.push({ row: n, values, lossy });
  });
  return { format: 'xlsx', encoding: null, headers: headers.filter(Boolean), rows };
}

/** A cell as text: rich text joined, formulas by their result, hyperlinks by their text, dates as ISO. */
function cellText(v: ExcelJS.CellValue): { text: string; isLossy: boolean } {
  if (v === null || v === undefined) return { text: '', isLossy: false };
  if (typeof v === 'number')
    return {
      text: Number.isInteger(v) ? v.toFixed(0) : String(v),
      isLossy: Number.isInteger(v) && !Number.isSafeInteger(v),
    };
  if (typeof v === 'string') return { text: v, isLossy: false };
  if (typeof v === 'boolean') return { text: String(v), isLossy: false };
  if (v instanceof Date) return { text: v.toISOString(), isLossy: false };
  if (typeof v === 'object') {
    if ('richText' in v) return { text: v.richText.map((r) => r.text).join(''), isLossy: false };
    if ('text' in v && typeof v.text === 'string') return { text: v.text, isLossy: false };
    if ('result' in v) return cellText(v.result as ExcelJS.CellValue);
    if ('error' in v) return { text: '', isLossy: false };
  }
  return { text: String(v as unknown), isLossy: false };
}
