/**
 * Datafordeleren's download as a zip: its one data file as a stream of bytes, read with yauzl
 * (central directory, zip64, stored or deflated). yauzl checks each entry's size; the CRC-32 it
 * leaves to its caller, checked here, so a damaged download is an error, not a short register.
 */
import { open } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { Transform, type Readable } from 'node:stream';
import { promisify } from 'node:util';
import yauzl, { type Entry, type ZipFile } from 'yauzl';

const LOC = 0x04034b50;

export async function isZipFile(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(4);
    const { bytesRead } = await fh.read(b, 0, 4, 0);
    return bytesRead === 4 && b.readUInt32LE(0) === LOC;
  } finally {
    await fh.close();
  }
}

const openZip = promisify<string, yauzl.Options, ZipFile>(yauzl.open);

/** The file entries of an open archive (directories skipped). */
function fileEntries(zip: ZipFile): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: Entry[] = [];
    zip.on('entry', (e: Entry) => {
      if (!e.fileName.endsWith('/')) entries.push(e);
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    zip.once('error', reject);
    zip.readEntry();
  });
}

/** The single file entry of a zip (or the single .json/.csv one when there are several). */
export async function openSingleEntry(file: string): Promise<{ name: string; stream: Readable }> {
  let zip: ZipFile;
  try {
    zip = await openZip(file, { lazyEntries: true, autoClose: false, strictFileNames: false, validateEntrySizes: true });
  } catch (e) {
    throw new Error(`${file}: not a readable zip file (${(e as Error).message})`);
  }
  try {
    const entries = await fileEntries(zip);
    let pick = entries.length === 1 ? entries[0] : undefined;
    if (!pick) {
      const data = entries.filter((e) => /\.(json|csv|txt)$/i.test(e.fileName));
      if (data.length === 1) pick = data[0];
    }
    if (!pick) throw new Error(`${file}: expected one file in the zip, found ${entries.length} (${entries.slice(0, 5).map((e) => e.fileName).join(', ')})`);
    const entry = pick;
    const data = await promisify(zip.openReadStream.bind(zip))(entry);
    let crc = 0;
    const check = new Transform({
      transform(chunk: Buffer, _enc, cb) { crc = crc32(chunk, crc); cb(null, chunk); },
      flush(cb) {
        if ((crc >>> 0) !== (entry.crc32 >>> 0)) cb(new Error(`${file}: ${entry.fileName} is damaged (CRC-32 mismatch)`));
        else cb();
      },
    });
    data.on('error', (e) => check.destroy(new Error(`${file}: ${entry.fileName} is damaged (${e.message})`)));
    check.once('close', () => zip.close());
    return { name: entry.fileName, stream: data.pipe(check) };
  } catch (e) {
    zip.close();
    throw e;
  }
}
