/** CSV text the way the LOS deliveries are written: `;`, CRLF, optional BOM, quotes only where needed. */

export const BOM = '\uFEFF';
export const CRLF = '\r\n';

export function csvField(value: string): string {
  return /[;"\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export const csvLine = (fields: readonly string[]) => fields.map(csvField).join(';') + CRLF;

/** The whole file: header and rows, each line ending in CRLF. */
export function csvText(header: readonly string[], rows: readonly (readonly string[])[], bom: boolean): string {
  const parts: string[] = [bom ? BOM : '', csvLine(header)];
  for (const row of rows) {
    if (row.length !== header.length) throw new Error(`row has ${row.length} fields, header ${header.length}: ${row.join(';')}`);
    parts.push(csvLine(row));
  }
  return parts.join('');
}
