/**
 * `./run mo-emulator [--port 5000] [--db .los2mo/mo.sqlite] [--client-id ID --client-secret S] [--dar-register FILE]
 * [--host 127.0.0.1] [--realm mo] [--without-role R]... [--without-field Type.field]...`: serve the
 * MO emulator until SIGINT/SIGTERM.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { allRoles } from './auth.ts';
import { DEFAULT_CLIENT_ID, startEmulator } from './server.ts';

const USAGE = `Usage: ./run mo-emulator [--port 5000] [--host 127.0.0.1] [--db .los2mo/mo.sqlite]
                         [--client-id ${DEFAULT_CLIENT_ID}] [--client-secret S] [--realm mo]
                         [--dar-register examples/dar/adresser.json]
                         [--without-role ROLE]... [--without-field Type.field]...
Serves an OS2mo GraphQL emulator (v29, v30) on SQLite until SIGINT/SIGTERM.
With --dar-register, DAR address values must be ids in that register (as MO looks them up in
DAR); without it only their UUID form is checked.
Without --client-secret a secret is generated and printed once.
The client's token carries every realm role ({read|create|update|terminate|delete|refresh}_{collection})
except those named by --without-role; --without-field leaves a field out of the SDL it serves and
executes (e.g. OrganisationUnit.org_unit_hierarchy), as an MO without it.
`;

export async function moEmulatorCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string', default: '5000' },
        host: { type: 'string', default: '127.0.0.1' },
        db: { type: 'string', default: '.los2mo/mo.sqlite' },
        'client-id': { type: 'string', default: DEFAULT_CLIENT_ID },
        'client-secret': { type: 'string' },
        realm: { type: 'string', default: 'mo' },
        'dar-register': { type: 'string' },
        'without-role': { type: 'string', multiple: true },
        'without-field': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    process.stderr.write(`mo-emulator: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`mo-emulator: --port must be a port number, got ${values.port}\n`);
    return 2;
  }
  const without = new Set(values['without-role'] ?? []);
  const unknownRole = [...without].find((r) => !allRoles().includes(r));
  if (unknownRole) {
    process.stderr.write(`mo-emulator: --without-role: no role "${unknownRole}" (roles are those of OS2mo's RBAC map, e.g. read_org_unit, create_org_unit)\n`);
    return 2;
  }
  const dbPath = resolve(values.db);
  mkdirSync(dirname(dbPath), { recursive: true });
  const generated = values['client-secret'] === undefined;
  let emulator;
  try {
    emulator = await startEmulator({
      dbPath,
      port,
      host: values.host,
      clientId: values['client-id'],
      clientSecret: values['client-secret'],
      realm: values.realm,
      roles: allRoles().filter((r) => !without.has(r)),
      withoutFields: values['without-field'] ?? [],
      ...(values['dar-register'] ? { darRegister: resolve(values['dar-register']) } : {}),
    });
  } catch (error) {
    process.stderr.write(`mo-emulator: ${(error as Error).message}\n`);
    return 2;
  }
  const out = process.stdout;
  out.write(`MO emulator serving ${emulator.url}/graphql/v30 (and v29)\n`);
  out.write(`  MO_URL=${emulator.url}\n`);
  out.write(`  AUTH_SERVER=${emulator.authServer}\n`);
  out.write(`  AUTH_REALM=${emulator.realm}\n`);
  out.write(`  CLIENT_ID=${emulator.clientId}\n`);
  if (generated) out.write(`  CLIENT_SECRET=${emulator.clientSecret}  (generated for this run; pass --client-secret to fix it)\n`);
  if (without.size) out.write(`  roles left out of the token: ${[...without].join(', ')}\n`);
  if (values['without-field']?.length) out.write(`  fields left out of the SDL: ${values['without-field'].join(', ')}\n`);
  out.write(`  database: ${dbPath}\n`);
  out.write(
    emulator.darIds === undefined
      ? '  DAR: no register given (--dar-register): DAR address values are checked for their UUID form only\n'
      : `  DAR: address values are looked up in ${resolve(values['dar-register']!)} (${emulator.darIds} ids)\n`,
  );

  await new Promise<void>((resolveSignal) => {
    const onSignal = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolveSignal();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await emulator.stop();
  out.write('MO emulator stopped\n');
  return 0;
}
