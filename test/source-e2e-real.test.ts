/**
 * A whole import (`./run workflow import.yaml`, embedded MO emulator) from Debian's vsftpd with the
 * earlier importer's settings.json as it is: `ftp_url` a host name, with `ftp_folder`, `ftp_user`,
 * `ftp_pass` beside it. The delivery also holds a file whose name ends in CR (MDTM of the trimmed
 * name answers 550) and one the account may not read: warnings naming them, the rest imported. The DAR failure lists go back to the
 * server at the end of the run, rw-r--r--; the password appears nowhere.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, cliP, setDeliveryTimes } from './helpers/cli.ts';
import { giveToAccount, startVsftpd } from './helpers/real-servers.ts';

test('a migrated settings.json imports the delivery from vsftpd; failure lists uploaded at the end, 0644; a CR-named and an unreadable file are warnings', async () => {
  const srv = await startVsftpd({ extra: ['local_umask=077'] }); // Debian's vsftpd default umask: uploads would be 0600
  const dir = mkdtempSync(path.join(tmpdir(), 'los2mo-e2e-vsftpd-'));
  try {
    const inDir = path.join(srv.home, 'in');
    cpSync(path.join(ROOT, 'examples/los'), inDir, { recursive: true });
    setDeliveryTimes(inDir);
    writeFileSync(path.join(inDir, 'Org_ret_20990101_000000.csv\r'), 'OrgUUID\n');
    giveToAccount(inDir);
    // a LOS file the FTP account may not read (root's, mode 000): RETR answers 550
    const locked = path.join(inDir, 'Pers_nye_20990101_000000.csv');
    writeFileSync(locked, 'UUID;CPR\n');
    chmodSync(locked, 0o000);
    const settingsFile = path.join(dir, 'settings.json');
    writeFileSync(
      settingsFile,
      // DIPEX's settings.json has flat dotted keys
      JSON.stringify({
        // the earlier importer's form: ftplib.FTP(ftp_url) took a host name (here with the test server's port)
        'integrations.aarhus_los.ftp_url': `${srv.host}:${srv.port}`,
        'integrations.aarhus_los.ftp_folder': 'in',
        'integrations.aarhus_los.ftp_user': srv.user,
        'integrations.aarhus_los.ftp_pass': srv.password,
        'integrations.aarhus_los.state_file': path.join(dir, 'state', 'state'),
      }),
    );
    const report = path.join(dir, 'report.json');
    const r = await cliP(['workflow', 'import.yaml', '--report', report], { LOS_SETTINGS_FILE: settingsFile });
    const show = `exit ${r.code}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}\n--- vsftpd ---\n${srv.log().slice(-2000)}`;
    assert.is(r.code, 0, show);
    const rep = JSON.parse(readFileSync(report, 'utf8'));
    assert.is(rep.files.length, 18, 'the whole delivery came from vsftpd');
    assert.match(r.stdout, new RegExp(`from ftp://${srv.user}@127\\.0\\.0\\.1:${srv.port}/in`), 'the source is printed as a URL that parses back');
    assert.ok(rep.warnings.some((w: string) => w.includes('Org_ret_20990101_000000.csv') && /NOT imported/.test(w)), rep.warnings.join('\n'));
    assert.ok(rep.warnings.some((w: string) => w.includes('Pers_nye_20990101_000000.csv') && /550 .*NOT imported/.test(w)), rep.warnings.join('\n'));
    const up = path.join(inDir, 'DARfejlliste');
    assert.ok(existsSync(up), 'the failure lists went back to the server');
    const lists = readdirSync(up);
    assert.ok(lists.length >= 1 && lists.every((n) => n.startsWith('failed_addr_')), lists.join(', '));
    for (const n of lists) assert.is((statSync(path.join(up, n)).mode & 0o777).toString(8), '644', n);
    assert.is(rep.totals.files_uploaded, lists.length);
    assert.not.ok(rep.warnings.some((w: string) => /file times are/.test(w)), 'vsftpd with use_localtime=NO: the clock check agrees');
    for (const [name, text] of [['stdout', r.stdout], ['stderr', r.stderr], ['report', readFileSync(report, 'utf8')]] as const) {
      assert.not.ok(text.includes(srv.password), `the FTP password appears in ${name}`);
    }
  } finally {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
