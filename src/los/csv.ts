/**
 * Reading one LOS CSV file: check the encoding (UTF-8 with or without BOM, or Windows-1252), parse
 * with csv-parse (`;`, quoted fields, CRLF), keep each record's line number. A valid UTF-8 file is
 * parsed as the bytes read (no decoding to text and encoding again); the records' lines are read off
 * the line feeds unless a record spans lines (csv-parse's per-record info costs a third of its time).
 * Problems become InputErrors naming file, line and column.
 */
import { isUtf8 } from 'node:buffer';
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
  /** the encoding the file was read in (readCsv) */
  encoding?: Encoding;
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

/** The InputError for a buffer that is not valid UTF-8: file, line, CSV column and its header name of the first bad byte. */
function invalidUtf8(buf: Buffer, file: string, why = 'if the file is Windows-1252, set encoding=windows-1252 (files with a BOM or valid UTF-8 are still read as UTF-8)'): InputError {
  const at = Math.max(firstInvalidUtf8(buf), 0);
  const { line, column: character } = lineAndColumn(buf, at);
  // column and field as everywhere else: the CSV column the byte is in, and its header name
  const index = fieldIndexAt(buf, at - character + 1, at);
  const field = headerNames(buf)[index] || 'encoding';
  return new InputError([{ file, line, column: index + 1, field, message: `byte 0x${buf[at]?.toString(16).toUpperCase().padStart(2, '0')} (character ${character} of the line) is not valid UTF-8; ${why}` }]);
}

const hasBom = (buf: Buffer) => buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;

/** True when `buf` holds at least one multi-byte UTF-8 sequence (a lead byte and its continuation bytes). */
function hasUtf8Sequence(buf: Buffer): boolean {
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i]!;
    if (b < 0xc2 || b > 0xf4) continue;
    const len = b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
    let ok = i + len <= buf.length;
    for (let k = 1; ok && k < len; k++) ok = (buf[i + k]! & 0xc0) === 0x80;
    if (ok) return true;
  }
  return false;
}

/**
 * The encoding of one file: a BOM decides UTF-8; without one, valid UTF-8 is UTF-8, anything else
 * is read in the configured `fallback` (the setting `encoding`). So a delivery may mix Windows-1252
 * files with UTF-8 ones.
 */
export function decideEncoding(buf: Buffer, fallback: Encoding): Encoding {
  if (hasBom(buf) || isUtf8(buf)) return 'utf-8';
  return fallback;
}

/**
 * The file's content as UTF-8 bytes without a BOM, and the encoding it was read in
 * (`decideEncoding`). Valid UTF-8 is the very buffer (no decoding and re-encoding: csv-parse reads
 * the bytes); Windows-1252 is decoded and encoded as UTF-8. A file that is neither (invalid UTF-8
 * with the fallback utf-8, or UTF-8 sequences beside invalid bytes: two encodings in one file) is
 * an input error at the first bad byte.
 */
export function decodeFile(buf: Buffer, file: string, fallback: Encoding): { bytes: Buffer; encoding: Encoding } {
  const encoding = decideEncoding(buf, fallback);
  if (encoding === 'windows-1252' && hasUtf8Sequence(buf)) throw invalidUtf8(buf, file, 'the file mixes UTF-8 with another encoding');
  return { bytes: utf8Bytes(buf, file, encoding), encoding };
}

/**
 * The file's content as UTF-8 bytes without a BOM, read in `encoding`. Valid UTF-8 is the very
 * buffer (no decoding and re-encoding: csv-parse reads the bytes); Windows-1252 is decoded and
 * encoded as UTF-8.
 */
export function utf8Bytes(buf: Buffer, file: string, encoding: Encoding): Buffer {
  if (encoding === 'windows-1252') {
    const text = iconv.decode(buf, 'win1252');
    return Buffer.from(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, 'utf8');
  }
  if (!isUtf8(buf)) throw invalidUtf8(buf, file);
  // as before: the decoder dropped a BOM, then the parser a second one
  let start = 0;
  while (start < 6 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) start += 3;
  return start ? buf.subarray(start) : buf;
}

/** Nothing but whitespace (as String.prototype.trim sees it)? Decodes only when the first non-blank byte is not ASCII. */
function isBlank(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x20 || (b >= 0x09 && b <= 0x0d)) continue;
    return b < 0x80 ? false : !bytes.toString('utf8').trim();
  }
  return true;
}

const CSV_OPTIONS = { delimiter: ';', relax_column_count: true, skip_empty_lines: true, max_record_size: 1 << 20 } as const;

/**
 * The non-empty lines, when the line breaks are all LF or all CRLF (csv-parse's record delimiter is
 * then the line break); null otherwise. Each record starts on a non-empty line of its own, and one
 * spanning lines (a quoted line break) covers two non-empty lines; so when there are as many
 * records as non-empty lines, these are the records' lines, in order.
 */
function nonEmptyLines(bytes: Buffer): number[] | null {
  let crlf = false;
  if (bytes.indexOf(0x0d) >= 0) {
    let cr = 0;
    for (let i = bytes.indexOf(0x0d); i >= 0; i = bytes.indexOf(0x0d, i + 1)) cr++;
    let lf = 0;
    for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) {
      if (bytes[i - 1] !== 0x0d) return null;
      lf++;
    }
    if (cr !== lf) return null;
    crlf = true;
  }
  const lines: number[] = [];
  const length = bytes.length;
  for (let start = 0, line = 1; ; line++) {
    const nl = bytes.indexOf(0x0a, start);
    const end = nl < 0 ? length : crlf ? nl - 1 : nl;
    if (end > start) lines.push(line);
    if (nl < 0) return lines;
    start = nl + 1;
  }
}

/**
 * The line breaks outside quoted fields, read byte by byte (only for files whose line breaks are
 * not all LF or all CRLF, and for a quote that is never closed): the first lone CR (CR-only line
 * breaks), the first line ending otherwise than the first line (CRLF and LF mixed), and where an
 * unclosed quoted field opens. Lines count line feeds, as everywhere else.
 */
function scanLineBreaks(bytes: Buffer): { line: number; start: number; at: number; message: string } | null {
  let quoted = false, line = 1, start = 0, first: 'CRLF' | 'LF' | null = null, firstLine = 0;
  let open = { line: 0, start: 0, at: 0 };
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x22) {
      quoted = !quoted;
      if (quoted) open = { line, start, at: i };
      continue;
    }
    if (b !== 0x0a && b !== 0x0d) continue;
    if (quoted) {
      if (b === 0x0a) { line++; start = i + 1; }
      continue;
    }
    let kind: 'CRLF' | 'LF';
    if (b === 0x0d) {
      if (bytes[i + 1] !== 0x0a) return { line, start, at: i, message: 'a line ends with a lone CR (carriage return without line feed; CR-only line breaks?): LOS files end their lines with CRLF or LF' };
      kind = 'CRLF';
      i++;
    } else kind = 'LF';
    if (first === null) { first = kind; firstLine = line; }
    else if (kind !== first) return { line, start, at: i, message: `the line ends with ${kind}, but line ${firstLine} (and the lines before this one) with ${first}: mixed line breaks (a file pieced together?)` };
    line++;
    start = i + 1;
  }
  if (quoted) return { line: open.line, start: open.start, at: open.at, message: 'a quoted field opens here and is never closed (a stray " or a truncated file?)' };
  return null;
}

/** Parse UTF-8 bytes (no BOM) of a LOS CSV file. */
export function parseCsvBytes(bytes: Buffer, file: string): CsvTable {
  const problem = (line: number, column: number, field: string, message: string): InputProblem => ({ file, line, column, field, message });
  if (isBlank(bytes)) throw new InputError([problem(1, 1, 'header', 'the file is empty: a LOS file has at least a header line')]);
  let records: string[][] = [];
  /** a problem found by scanLineBreaks, at its CSV column (and that column's header name) */
  const scanned = (p: { line: number; start: number; at: number; message: string }) => {
    const index = fieldIndexAt(bytes, p.start, p.at);
    return problem(p.line, index + 1, (p.line > 1 && headerNames(bytes)[index]) || 'line break', p.message);
  };
  let lines = nonEmptyLines(bytes);
  if (!lines) {
    const bad = scanLineBreaks(bytes);
    if (bad) throw new InputError([scanned(bad)]);
  }
  try {
    if (lines) records = parse(bytes, CSV_OPTIONS) as string[][];
    if (!lines || lines.length !== records.length) {
      // a record spans lines (or CR line breaks): csv-parse's info.bytes (where each record ends)
      // locates every record's first line exactly (it costs a third of csv-parse's time)
      const withInfo = parse(bytes, { ...CSV_OPTIONS, info: true }) as unknown as { record: string[]; info: { bytes: number } }[];
      records = withInfo.map((r) => r.record);
      lines = recordLines(bytes, withInfo);
    }
  } catch (e) {
    const err = e as Error & { code?: string; lines?: number; column?: number | string; index?: number };
    if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
      // csv-parse reports the end of the file: name where the quoted field opens
      const open = scanLineBreaks(bytes);
      if (open) throw new InputError([scanned(open)]);
    }
    const line = err.lines ?? 1;
    const column = typeof err.index === 'number' ? err.index + 1 : 1;
    // the column's header name when the broken record is not the header itself
    const field = line > 1 && typeof err.index === 'number' ? headerNames(bytes)[err.index] || 'csv' : 'csv';
    const message = err.code === 'CSV_MAX_RECORD_SIZE' ? 'a field is larger than 1 MiB (truncated or broken quoting?)' : err.code === 'CSV_QUOTE_NOT_CLOSED' ? 'a quoted field is never closed (truncated file?)' : err.message.replace(/^Invalid Record Length: |, got \d+ on line \d+$/g, '');
    throw new InputError([problem(line, column, field, message)]);
  }
  const header = records[0]!.map((h) => h.trim());
  const problems: InputProblem[] = [];
  if (header.length === 1 && /[,\t|]/.test(header[0]!)) problems.push(problem(1, 1, 'header', `the header has no ";" delimiter (found "${header[0]!.slice(0, 60)}"): LOS files are semicolon-separated`));
  const seen = new Map<string, number>();
  header.forEach((h, i) => {
    const key = h.toLowerCase();
    if (seen.has(key)) problems.push(problem(1, i + 1, h, `duplicated column (also column ${seen.get(key)! + 1})`));
    else seen.set(key, i);
  });
  const rows: CsvRow[] = [];
  const width = header.length;
  for (let i = 1; i < records.length; i++) {
    const values = records[i]!;
    const line = lines[i]!;
    if (values.length !== width) {
      problems.push(problem(line, Math.min(values.length, width) + 1, header[Math.min(values.length, width - 1)] ?? 'csv', `expected ${width} fields, found ${values.length}${values.length < width ? ' (truncated line?)' : ''}`));
      continue;
    }
    rows.push({ line, values });
  }
  if (problems.length) throw new InputError(problems);
  return { file, header, rows };
}

/**
 * The first line of every record from csv-parse's info: a record starts where the previous one
 * ended (info.bytes), after any empty lines; its line is one more than the line feeds before it
 * (counted once, incrementally: linear in the file).
 */
function recordLines(bytes: Buffer, records: { info: { bytes: number } }[]): number[] {
  const lines: number[] = [];
  let pos = 0, counted = 0, newlines = 0;
  for (const r of records) {
    while (pos < bytes.length && (bytes[pos] === 0x0a || bytes[pos] === 0x0d)) pos++;
    for (; counted < pos; counted++) if (bytes[counted] === 0x0a) newlines++;
    lines.push(newlines + 1);
    pos = r.info.bytes;
  }
  return lines;
}

export function parseCsvText(text: string, file: string): CsvTable {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return parseCsvBytes(Buffer.from(text, 'utf8'), file);
}

/** Read a LOS CSV file; `encoding` is the fallback for a file without a BOM that is not valid UTF-8 (`decideEncoding`). */
export function readCsv(path: string, file: string, encoding: Encoding = 'utf-8'): CsvTable {
  const decoded = decodeFile(readFileSync(path), file, encoding);
  return { ...parseCsvBytes(decoded.bytes, file), encoding: decoded.encoding };
}

/** readCsv that adds its problems to a list (so every file of a run is checked) instead of throwing. */
export function readCsvCollecting(file: { path: string; name: string }, encoding: Encoding, problems: InputProblem[], encodings?: Record<string, Encoding>): CsvTable | null {
  try {
    const table = readCsv(file.path, file.name, encoding);
    if (encodings) encodings[file.name] = table.encoding!;
    return table;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    for (const p of e.problems) problems.push(p); // never spread: a file can have 100,000s of problems
    return null;
  }
}

/**
 * Say which files were read in which encoding: on the report's file entries (fetch made them) and in
 * the log (Windows-1252 at info, UTF-8 at debug).
 */
export function noteEncodings(report: { files: { name: string; encoding?: string }[] }, log: { info(m: string): void; debug(m: string): void }, encodings: Record<string, Encoding>) {
  for (const [name, encoding] of Object.entries(encodings)) {
    const entry = report.files.find((f) => f.name === name);
    if (entry) entry.encoding = encoding;
    (encoding === 'utf-8' ? log.debug : log.info).call(log, `${name}: read as ${encoding}`);
  }
}
