/**
 * A silent server through the whole nightly run (`./run workflow import.yaml`): night 1 imports
 * the master data and the initial units over SFTP; the rest of the delivery arrives; in night 2
 * the server stops answering (helpers/silent-proxy.ts: no FIN, no RST) as the first new file is
 * opened, and stays silent for every retry. The run must end by itself (bounded by the setting
 * source_timeout_ms, here 1000), exit ≠ 0 with an error naming the file and the silent server,
 * write nothing to MO, leave the state as it was and release the lock: night 3, with the server
 * back, imports the delivery. No elapsed times are asserted.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { diffDumps, faultFreeDump, runImport, sandbox, show, startDrillMo, stateOf } from './drills-support.ts';
import { startSftpServer } from './helpers/sftp-server.ts';
import { startSilentProxy, type SilentProxy } from './helpers/silent-proxy.ts';

const PASS = 'N4t-Stille-Pa55';
const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

test('night 2 meets a silent SFTP server: exit 1 naming the file, MO and state untouched, lock released; night 3 imports', async () => {
  const box = sandbox('los2mo-silent-e2e-');
  const mo = await startDrillMo();
  let proxy: SilentProxy | undefined;
  let silentNight = false;
  const srv = await startSftpServer({
    root: box.dir,
    password: PASS,
    onRequest: (r, d) => {
      if (silentNight && r === 'open' && d.name && !/^STAM_|^Org_inital_/.test(d.name)) proxy!.silence();
    },
  });
  proxy = await startSilentProxy({ target: { host: srv.host, port: srv.port } });
  const env = {
    LOS_SOURCE: `sftp://los@127.0.0.1:${proxy.port}/los`,
    LOS_FTP_PASS: PASS,
    LOS_HOST_KEY_FINGERPRINT: srv.hostKeyFingerprint,
    LOS_SOURCE_TIMEOUT_MS: '1000',
  };
  const lock = path.join(path.dirname(box.state), 'lock');
  try {
    // the delivery beyond the master data and the initial units arrives after night 1
    const later = path.join(box.dir, 'later');
    mkdirSync(later);
    const held = readdirSync(box.los).filter((f) => !/^STAM_|^Org_inital_/.test(f));
    for (const f of held) renameSync(path.join(box.los, f), path.join(later, f));
    const night1 = await runImport(box, mo, [], env);
    assert.is(night1.code, 0, show(night1));
    const now = new Date();
    for (const f of held) {
      renameSync(path.join(later, f), path.join(box.los, f));
      utimesSync(path.join(box.los, f), now, now);
    }
    const state1 = stateOf(box);
    const dump1 = mo.dump();
    const mutations1 = sum(mo.emu.metrics().mutations);

    silentNight = true;
    const night2 = await runImport(box, mo, [], env);
    assert.is.not(night2.code, 0, show(night2));
    assert.is(proxy.silenced, 3, 'the first attempt went silent mid-run, the 2 retries met the silent host');
    const out = night2.stdout + night2.stderr;
    const first = [...held].sort((a, b) => a.localeCompare(b)).find((f) => out.includes(`"${f}"`));
    assert.ok(first, `the error names the file being fetched:\n${show(night2)}`);
    assert.match(out, new RegExp(`SFTP download of "${first!.replace(/\./g, '\\.')}" at sftp://los@127\\.0\\.0\\.1:${proxy.port}/los failed after 3 attempts: the server stopped answering: no data for 1000 ms before the first byte \\(the connection is idle or dead\\); the last attempt: cannot connect: the server stopped answering`), show(night2));
    assert.not.ok((out + night2.reportText).includes(PASS), 'the password appears nowhere');
    assert.is(night2.report?.totals?.transfer_retries, 2, JSON.stringify(night2.report?.totals));
    assert.is(stateOf(box), state1, 'the state is not advanced');
    assert.is(sum(mo.emu.metrics().mutations), mutations1, 'nothing was written to MO');
    assert.is(diffDumps(dump1, mo.dump()), '', 'MO is as night 1 left it');
    assert.not.ok(existsSync(lock), 'the lock is released');

    silentNight = false;
    proxy.revive();
    const night3 = await runImport(box, mo, [], env);
    assert.is(night3.code, 0, show(night3));
    assert.is.not(stateOf(box), state1, 'night 3 advanced the state');
    assert.is(diffDumps(await faultFreeDump(), mo.dump()), '', 'MO equals a fault-free import of the delivery');
  } finally {
    await proxy.close();
    await srv.close();
    await mo.stop();
    box.cleanup();
  }
});

test.run();
