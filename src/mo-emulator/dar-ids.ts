/**
 * The DAR register the emulator looks address ids up in, as MO looks a DAR address's id up in DAR
 * (`mora/service/address_handler/dar.py`: an address or an access address, current or historic).
 * The file is the one the DAR step washes against (docs/dar.md): a Datafordeleren `Adresse` JSON
 * download (`id_lokalId`, and `husnummer`, the access address), plain or a single-entry zip, or a
 * CSV `id;betegnelse[;status]`. Only the ids are kept.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { jsonArrayObjects } from '../dar/register.ts';
import { isZipFile, openSingleEntry } from '../dar/zip.ts';
import { pythonUuid } from '../mo/address-values.ts';

export async function readDarIds(file: string): Promise<Set<string>> {
  const ids = new Set<string>();
  const add = (v: unknown) => {
    const id = typeof v === 'string' ? pythonUuid(v) : null;
    if (id) ids.add(id);
  };
  let stream: AsyncIterable<Buffer | string>;
  let name = file;
  if (await isZipFile(file)) {
    const entry = await openSingleEntry(file);
    stream = entry.stream as AsyncIterable<Buffer | string>;
    name = entry.name;
  } else stream = createReadStream(file);
  if (/\.(csv|txt)$/i.test(name)) {
    for await (const line of createInterface({ input: Readable.from(stream), crlfDelay: Infinity })) add(line.split(';')[0]?.trim());
  } else {
    for await (const record of jsonArrayObjects(stream)) {
      add(record['id_lokalId']);
      add(record['husnummer']);
    }
  }
  if (!ids.size) throw new Error(`DAR register ${file}: no address ids found`);
  return ids;
}
