/**
 * Reading one LOS CSV file: decode (UTF-8 with or without BOM, or Windows-1252), parse with
 * csv-parse (`;`, quoted fields, CRLF), keep each record's line number. Problems become
 * InputErrors naming file, line and column.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import iconv from 'iconv-lite';
import { InputError, type InputProblem } from '../errors.ts';

export type Encoding = 'utf-8' | 'windows-1252';

export interface CsvRow {
  /** 1-based line of the record's first line in the file (the header is line 1). */
  line: number;
  values: string[];
}

export interface CsvTable {
  /** Name shown in messages (the file name). */
  file: string;
  header: string[];
  rows: CsvRow[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function lineAndColumn(buf: Buffer, offset: number) {
  let line = 1, start = 0;
  for (let i = 0; i < offset; i++) if (buf[i] === 0x0a) { line++; start = i + 1; }
  return { line, column: offset - start + 1 };
}

/** The header's column names, read leniently from the first line (for messages about broken files). */
function headerNames(buf: Buffer): string[] {
  const end = buf.indexOf(0x0a);
  const first = buf.subarray(0, end < 0 ? buf.length : end);
  let text: string;
  try { text = utf8.decode(first); } catch { text = iconv.decode(first, 'win1252'); }
  return text.replace(/^\uFEFF/, '').replace(/\r$/, '').split(';').map((h) => h.trim());
}

/** 0-based field index of byte `offset` in the line starting at `start` (`;` outside quotes). */
function fieldIndexAt(buf: Buffer, start: number, offset: number): number {
  let index = 0, quoted = false;
  for (let i = start; i < offset; i++) {
    if (buf[i] === 0x22) quoted = !quoted;
    else if (buf[i] === 0x3b && !quoted) index++;
  }
  return index;
}

/** Position of the first byte that is not valid UTF-8. */
function firstInvalidUtf8(buf: Buffer): number {
  for (let i = 0; i < buf.length; ) {
    const b = buf[i]!;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (!len || i + len > buf.length) return i;
    for (let k = 1; k < len; k++) if ((buf[i + k]! & 0xc0) !== 0x80) return i;
    i += len;
  }
  return -1;
}

export function decode(buf: Buffer, file: string, encoding: Encoding): string {
  if (encoding === 'windows-1252') return iconv.decode(buf, 'win1252');
  try {
    return utf8.decode(buf);
  } catch {
    const at = Math.max(firstInvalidUtf8(buf), 0);
    const { line, column: character } = lineAndColumn(buf, at);
    // column and field as everywhere else: the CSV column the byte is in, and its header name
    const index = fieldIndexAt(buf, at - character + 1, at);
    const field = headerNames(buf)[index] || 'encoding';
    throw new InputError([{ file, line, column: index + 1, field, message: `byte 0x${buf[at]?.toString(16).toUpperCase().padStart(2, '0')} (character ${character} of the line) is not valid UTF-8; if the file is Windows-1252, set encoding=windows-1252` }]);
  }
}

export function parseCsvText(text: string, file: string): CsvTable {
  const problem = (line: number, column: number, field: string, message: string): InputProblem => ({ file, line, column, field, message });
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (!text.trim()) throw new InputError([problem(1, 1, 'header', 'the file is empty: a LOS file has at least a header line')]);
  // parse bytes, not text: info.bytes (where each record ends) then locates every record's first line exactly
  const bytes = Buffer.from(text, 'utf8');
  let records: { record: string[]; info: { lines: number; bytes: number } }[];
  try {
    records = parse(bytes, { delimiter: ';', info: true, relax_column_count: true, skip_empty_lines: true, max_record_size: 1 << 20 }) as never;
  } catch (e) {
    const err = e as Error & { code?: string; lines?: number; column?: number | string; index?: number };
    const line = err.lines ?? 1;
    const column = typeof err.index === 'number' ? err.index + 1 : 1;
    // the column's header name when the broken record is not the header itself
    const field = line > 1 && typeof err.index === 'number' ? headerNames(Buffer.from(text.slice(0, text.indexOf('\n') + 1 || text.length)))[err.index] || 'csv' : 'csv';
    const message = err.code === 'CSV_MAX_RECORD_SIZE' ? 'a field is larger than 1 MiB (truncated or broken quoting?)' : err.code === 'CSV_QUOTE_NOT_CLOSED' ? 'a quoted field is never closed (truncated file?)' : err.message.replace(/^Invalid Record Length: |, got \d+ on line \d+$/g, '');
    throw new InputError([problem(line, column, field, message)]);
  }
  const [head, ...body] = records;
  const header = head!.record.map((h) => h.trim());
  const problems: InputProblem[] = [];
  if (header.length === 1 && /[,\t|]/.test(header[0]!)) problems.push(problem(1, 1, 'header', `the header has no ";" delimiter (found "${header[0]!.slice(0, 60)}"): LOS files are semicolon-separated`));
  const seen = new Map<string, number>();
  header.forEach((h, i) => {
    const key = h.toLowerCase();
    if (seen.has(key)) problems.push(problem(1, i + 1, h, `duplicated column (also column ${seen.get(key)! + 1})`));
    else seen.set(key, i);
  });
  const rows: CsvRow[] = [];
  // a record starts where the previous one ended (info.bytes), after any empty lines; its line is
  // one more than the line feeds before it (counted once, incrementally: linear in the file)
  let pos = head!.info.bytes, counted = 0, newlines = 0;
  for (const r of body) {
    while (pos < bytes.length && (bytes[pos] === 0x0a || bytes[pos] === 0x0d)) pos++;
    for (; counted < pos; counted++) if (bytes[counted] === 0x0a) newlines++;
    const line = newlines + 1;
    pos = r.info.bytes;
    if (r.record.length !== header.length) {
      problems.push(problem(line, Math.min(r.record.length, header.length) + 1, header[Math.min(r.record.length, header.length - 1)] ?? 'csv', `expected ${header.length} fields, found ${r.record.length}${r.record.length < header.length ? ' (truncated line?)' : ''}`));
      continue;
    }
    rows.push({ line, values: r.record });
  }
  if (problems.length) throw new InputError(problems);
  return { file, header, rows };
}

export function readCsv(path: string, file: string, encoding: Encoding = 'utf-8'): CsvTable {
  return parseCsvText(decode(readFileSync(path), file, encoding), file);
}

/** readCsv that adds its problems to a list (so every file of a run is checked) instead of throwing. */
export function readCsvCollecting(file: { path: string; name: string }, encoding: Encoding, problems: InputProblem[]): CsvTable | null {
  try {
    return readCsv(file.path, file.name, encoding);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    problems.push(...e.problems);
    return null;
  }
}
