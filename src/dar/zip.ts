/**
 * Minimal zip reader for Datafordeleren's download: finds the one file entry through the central
 * directory (zip64 aware) and returns its data as a stream (stored or deflated, inflated with
 * node:zlib). Enough for a single-entry archive; not a general zip library (no encryption, no
 * multi-disk archives).
 */
import { open } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createInflateRaw, crc32 } from 'node:zlib';
import { Readable, Transform } from 'node:stream';

export interface ZipEntry { name: string; method: number; compressedSize: number; size: number; crc32: number; localHeaderOffset: number; flags: number }

const EOCD = 0x06054b50, EOCD64_LOCATOR = 0x07064b50, EOCD64 = 0x06064b50, CEN = 0x02014b50, LOC = 0x04034b50;

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

/** Lists the file entries (directories skipped) of a zip archive. */
export async function listZip(file: string): Promise<ZipEntry[]> {
  const fh = await open(file, 'r');
  try {
    const { size } = await fh.stat();
    const tailLen = Math.min(size, 22 + 0xffff + 20);
    const tail = Buffer.alloc(tailLen);
    await fh.read(tail, 0, tailLen, size - tailLen);
    let e = -1;
    for (let i = tailLen - 22; i >= 0; i--) if (tail.readUInt32LE(i) === EOCD) { e = i; break; }
    if (e < 0) throw new Error(`${file}: not a zip file (no end of central directory)`);
    let entries = tail.readUInt16LE(e + 10);
    let cdSize = tail.readUInt32LE(e + 12);
    let cdOffset = tail.readUInt32LE(e + 16);
    if ((cdOffset === 0xffffffff || entries === 0xffff) && e >= 20 && tail.readUInt32LE(e - 20) === EOCD64_LOCATOR) {
      const rec = Buffer.alloc(56);
      await fh.read(rec, 0, 56, Number(tail.readBigUInt64LE(e - 20 + 8)));
      if (rec.readUInt32LE(0) !== EOCD64) throw new Error(`${file}: bad zip64 end of central directory`);
      entries = Number(rec.readBigUInt64LE(32));
      cdSize = Number(rec.readBigUInt64LE(40));
      cdOffset = Number(rec.readBigUInt64LE(48));
    }
    const cd = Buffer.alloc(cdSize);
    await fh.read(cd, 0, cdSize, cdOffset);
    const out: ZipEntry[] = [];
    let p = 0;
    for (let n = 0; n < entries; n++) {
      if (cd.readUInt32LE(p) !== CEN) throw new Error(`${file}: bad zip central directory`);
      const flags = cd.readUInt16LE(p + 8);
      const method = cd.readUInt16LE(p + 10);
      const crc32 = cd.readUInt32LE(p + 16);
      let compressedSize = cd.readUInt32LE(p + 20);
      let usize = cd.readUInt32LE(p + 24);
      const nameLen = cd.readUInt16LE(p + 28), extraLen = cd.readUInt16LE(p + 30), commentLen = cd.readUInt16LE(p + 32);
      let localHeaderOffset = cd.readUInt32LE(p + 42);
      const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
      // zip64 extra field: the 0xffffffff values follow in the order size, compressed size, offset
      for (let x = p + 46 + nameLen, end = x + extraLen; x + 4 <= end; ) {
        const id = cd.readUInt16LE(x), len = cd.readUInt16LE(x + 2);
        if (id === 0x0001) {
          let q = x + 4;
          if (usize === 0xffffffff) { usize = Number(cd.readBigUInt64LE(q)); q += 8; }
          if (compressedSize === 0xffffffff) { compressedSize = Number(cd.readBigUInt64LE(q)); q += 8; }
          if (localHeaderOffset === 0xffffffff) { localHeaderOffset = Number(cd.readBigUInt64LE(q)); q += 8; }
        }
        x += 4 + len;
      }
      if (!name.endsWith('/')) out.push({ name, method, compressedSize, size: usize, crc32, localHeaderOffset, flags });
      p += 46 + nameLen + extraLen + commentLen;
    }
    return out;
  } finally {
    await fh.close();
  }
}

/** The data of one entry as a stream of bytes (inflated). */
export async function openZipEntry(file: string, entry: ZipEntry): Promise<Readable> {
  if (entry.flags & 1) throw new Error(`${file}: ${entry.name} is encrypted`);
  if (entry.method !== 0 && entry.method !== 8) throw new Error(`${file}: ${entry.name} uses compression method ${entry.method} (only stored/deflate)`);
  const fh = await open(file, 'r');
  const loc = Buffer.alloc(30);
  try {
    await fh.read(loc, 0, 30, entry.localHeaderOffset);
  } finally {
    await fh.close();
  }
  if (loc.readUInt32LE(0) !== LOC) throw new Error(`${file}: bad zip local header`);
  const start = entry.localHeaderOffset + 30 + loc.readUInt16LE(26) + loc.readUInt16LE(28);
  if (entry.compressedSize === 0) return Readable.from([]);
  const raw = createReadStream(file, { start, end: start + entry.compressedSize - 1, highWaterMark: 1 << 20 });
  let data: Readable = raw;
  if (entry.method === 8) {
    const inflate = createInflateRaw({ chunkSize: 1 << 20 });
    raw.on('error', (e) => inflate.destroy(e));
    data = raw.pipe(inflate);
  }
  // Verify size and CRC-32 of the inflated data, so a truncated download is an error, not a short register.
  let crc = 0, n = 0;
  const check = new Transform({
    transform(chunk: Buffer, _enc, cb) { crc = crc32(chunk, crc); n += chunk.length; cb(null, chunk); },
    flush(cb) {
      if (n !== entry.size || (crc >>> 0) !== (entry.crc32 >>> 0)) cb(new Error(`${file}: ${entry.name} is damaged (size ${n}/${entry.size}, CRC mismatch or truncated archive)`));
      else cb();
    },
  });
  data.on('error', (e) => check.destroy(e));
  return data.pipe(check);
}

/** The single file entry of a zip (or the single .json/.csv one when there are several). */
export async function openSingleEntry(file: string): Promise<{ name: string; stream: Readable }> {
  const entries = await listZip(file);
  let pick = entries.length === 1 ? entries[0] : undefined;
  if (!pick) {
    const data = entries.filter((e) => /\.(json|csv|txt)$/i.test(e.name));
    if (data.length === 1) pick = data[0];
  }
  if (!pick) throw new Error(`${file}: expected one file in the zip, found ${entries.length} (${entries.slice(0, 5).map((e) => e.name).join(', ')})`);
  return { name: pick.name, stream: await openZipEntry(file, pick) };
}
