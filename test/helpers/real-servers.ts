/**
 * Debian's vsftpd and OpenSSH sshd as real processes for tests, on 127.0.0.1 with random ports,
 * each with its own configuration in a temp folder (the system's /etc/vsftpd.conf and
 * /etc/ssh/sshd_config are never read). `.ci/run` installs the packages (vsftpd, openssh-server).
 *
 * Both servers authenticate a real system account, `los2mo_test` (shell /usr/sbin/nologin, home
 * /var/lib/los2mo-test/home; created on first use, which needs root as CI has): its random password is kept in
 * /var/lib/los2mo-test/password (mode 0600) so parallel test processes share it. vsftpd uses
 * its own PAM service `los2mo-test` (pam_unix only: nologin is not in /etc/shells), allows only
 * this user, and lands it in `home` (local_root); sshd allows only this user, runs internal-sftp
 * with `-d home` and never a shell.
 *
 * A server that cannot start throws (the test fails; it never skips).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const TEST_USER = 'los2mo_test';
const ACCOUNT_DIR = '/var/lib/los2mo-test';
const PASSWORD_FILE = `${ACCOUNT_DIR}/password`;
/** the account's home (vsftpd changes into it before local_root); the tests' folders are elsewhere */
const ACCOUNT_HOME = `${ACCOUNT_DIR}/home`;
const PAM_SERVICE = 'los2mo-test';

export interface TestAccount {
  user: string;
  password: string;
  uid: number;
  gid: number;
}

let account: TestAccount | undefined;

/** The system account both servers authenticate (created when missing; needs root). */
export function testAccount(): TestAccount {
  if (account) return account;
  if (process.getuid?.() !== 0) {
    throw new Error('the real-server tests start vsftpd and sshd and need a system account: run them as root (CI does)');
  }
  const id = (flag: string) => Number(execFileSync('id', [flag, TEST_USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim());
  let exists = true;
  try {
    id('-u');
  } catch {
    exists = false;
  }
  if (!exists) {
    try {
      execFileSync('useradd', ['--system', '--no-create-home', '--home-dir', ACCOUNT_HOME, '--shell', '/usr/sbin/nologin', TEST_USER], { stdio: 'pipe' });
    } catch (err) {
      if (!/already exists/.test(String((err as { stderr?: unknown }).stderr))) throw err; // a parallel process won
    }
  }
  mkdirSync(ACCOUNT_DIR, { recursive: true });
  chmodSync(ACCOUNT_DIR, 0o711);
  try {
    writeFileSync(PASSWORD_FILE, `Lt-${randomBytes(12).toString('hex')}`, { flag: 'wx', mode: 0o600 });
    execFileSync('chpasswd', { input: `${TEST_USER}:${readFileSync(PASSWORD_FILE, 'utf8')}\n`, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (err) {
    if ((err as { code?: string }).code !== 'EEXIST') throw err;
  }
  if (!existsSync(`/etc/pam.d/${PAM_SERVICE}`)) {
    writeFileSync(`/etc/pam.d/${PAM_SERVICE}`, '# los2mo tests (test/helpers/real-servers.ts): vsftpd without pam_shells\nauth required pam_unix.so\naccount required pam_unix.so\n');
  }
  const uid = id('-u');
  const gid = id('-g');
  mkdirSync(ACCOUNT_HOME, { recursive: true });
  chownSync(ACCOUNT_HOME, uid, gid);
  account = { user: TEST_USER, password: readFileSync(PASSWORD_FILE, 'utf8'), uid, gid };
  return account;
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => srv.once('error', reject).listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** Waits until the port accepts a connection (and, for `greeting`, sends bytes); throws with the server's output when it died. */
async function waitForPort(port: number, proc: ChildProcess, output: () => string, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`${what} exited (${proc.exitCode ?? proc.signalCode}) before listening: ${output()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} does not listen on 127.0.0.1:${port}: ${output()}`);
}

function startProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv): { proc: ChildProcess; output: () => string } {
  if (!existsSync(cmd)) throw new Error(`${cmd} is not installed (apt-get install -y vsftpd openssh-server; .ci/run does)`);
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  proc.on('error', (e) => (out += String(e)));
  return { proc, output: () => out.trim().slice(-2000) };
}

async function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  try {
    process.kill(-proc.pid!, 'SIGTERM'); // the server and its session processes
  } catch {
    proc.kill('SIGTERM');
  }
  await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
  if (proc.exitCode === null && proc.signalCode === null) {
    try {
      process.kill(-proc.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** A temp folder the test account can reach: `dir` (root's, 0755) with `home` owned by the account. */
function serverDirs(prefix: string, acct: TestAccount): { dir: string; home: string } {
  const dir = mkdtempSync(path.join(tmpdir(), `los2mo-${prefix}-`));
  chmodSync(dir, 0o755);
  const home = path.join(dir, 'home');
  mkdirSync(home);
  chownSync(home, acct.uid, acct.gid);
  return { dir, home };
}

/** Hands files the test wrote (as root) in `home` to the account, recursively. */
export function giveToAccount(p: string): void {
  const acct = testAccount();
  execFileSync('chown', ['-R', `${acct.uid}:${acct.gid}`, p]);
}

// ---- vsftpd ------------------------------------------------------------------------------------

export interface VsftpdOptions {
  /** plain FTP, explicit FTPS (AUTH TLS, required, with require_ssl_reuse=YES) or implicit FTPS */
  tls?: 'none' | 'explicit' | 'implicit';
  /** vsftpd's use_localtime (Debian's /etc/vsftpd.conf ships YES); default NO */
  useLocaltime?: boolean;
  /** TZ of the server process, e.g. 'CET-1CEST,M3.5.0,M10.5.0/3' (POSIX form: no tzdata needed) */
  tz?: string;
  /** extra vsftpd.conf lines */
  extra?: string[];
}

export interface RealServer {
  host: '127.0.0.1';
  port: number;
  user: string;
  password: string;
  /** login folder of the account (owned by it); put delivery files here */
  home: string;
  /** the server's config and log folder */
  dir: string;
  /** FTPS: the certificate's SHA-256 fingerprint ("AA:BB:…") and its PEM file (self-signed) */
  tlsFingerprint?: string;
  certFile?: string;
  /** SFTP: "SHA256:…" of each host key, and the public key lines */
  hostKeys?: { ed25519: string; rsa: string };
  hostKeyLines?: { ed25519: string; rsa: string };
  /** the server's log so far (vsftpd protocol log, sshd's stderr) */
  log(): string;
  close(): Promise<void>;
}

export async function startVsftpd(opts: VsftpdOptions = {}): Promise<RealServer> {
  const acct = testAccount();
  const { dir, home } = serverDirs('vsftpd', acct);
  const port = await freePort();
  const tls = opts.tls ?? 'none';
  const logFile = path.join(dir, 'vsftpd.log');
  const userList = path.join(dir, 'users');
  writeFileSync(userList, `${acct.user}\n`);
  const conf = [
    'listen=YES',
    'listen_ipv6=NO',
    'listen_address=127.0.0.1',
    `listen_port=${port}`,
    'background=NO',
    'anonymous_enable=NO',
    'local_enable=YES',
    'write_enable=YES',
    'local_umask=022',
    `use_localtime=${opts.useLocaltime ? 'YES' : 'NO'}`,
    `pam_service_name=${PAM_SERVICE}`,
    'userlist_enable=YES',
    'userlist_deny=NO',
    `userlist_file=${userList}`,
    `local_root=${home}`,
    'secure_chroot_dir=/var/run/vsftpd/empty',
    'connect_from_port_20=NO',
    'pasv_enable=YES',
    'pasv_address=127.0.0.1',
    'seccomp_sandbox=NO',
    'isolate=NO',
    'isolate_network=NO',
    'xferlog_enable=YES',
    'log_ftp_protocol=YES',
    'vsftpd_log_file=' + logFile,
    'dual_log_enable=NO',
    'xferlog_std_format=NO',
  ];
  let fingerprint: string | undefined;
  let certFile: string | undefined;
  if (tls !== 'none') {
    certFile = path.join(dir, 'cert.pem');
    const keyFile = path.join(dir, 'key.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '30',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ], { stdio: 'pipe' });
    fingerprint = new X509Certificate(readFileSync(certFile)).fingerprint256;
    conf.push(
      'ssl_enable=YES',
      `rsa_cert_file=${certFile}`,
      `rsa_private_key_file=${keyFile}`,
      'force_local_logins_ssl=YES',
      'force_local_data_ssl=YES',
      'require_ssl_reuse=YES', // vsftpd's default, spelled out: data connections must resume the control session
      'ssl_tlsv1=YES',
      'ssl_sslv2=NO',
      'ssl_sslv3=NO',
      'ssl_ciphers=HIGH',
      `implicit_ssl=${tls === 'implicit' ? 'YES' : 'NO'}`,
    );
  }
  conf.push(...(opts.extra ?? []));
  const confFile = path.join(dir, 'vsftpd.conf');
  writeFileSync(confFile, conf.join('\n') + '\n'); // vsftpd refuses a config not owned by root: it is (we are root)
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, ...(opts.tz ? { TZ: opts.tz } : {}) };
  const { proc, output } = startProcess('/usr/sbin/vsftpd', [confFile], env);
  const log = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  try {
    await waitForPort(port, proc, () => `${output()} ${log()}`, `vsftpd (${confFile})`);
  } catch (err) {
    await stopProcess(proc);
    throw err;
  }
  return {
    host: '127.0.0.1',
    port,
    user: acct.user,
    password: acct.password,
    home,
    dir,
    tlsFingerprint: fingerprint,
    certFile,
    log,
    async close() {
      await stopProcess(proc);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---- OpenSSH sshd ------------------------------------------------------------------------------

export interface SshdOptions {
  /** OpenSSH public key line accepted for publickey auth */
  authorizedKey?: string;
  /** extra sshd_config lines */
  extra?: string[];
}

export async function startSshd(opts: SshdOptions = {}): Promise<RealServer> {
  const acct = testAccount();
  const { dir, home } = serverDirs('sshd', acct);
  const port = await freePort();
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // privilege separation folder (made by the init script normally)
  const keys = { ed25519: '', rsa: '' };
  const lines = { ed25519: '', rsa: '' };
  for (const type of ['ed25519', 'rsa'] as const) {
    const file = path.join(dir, `ssh_host_${type}_key`);
    execFileSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-f', file], { stdio: 'pipe' });
    keys[type] = execFileSync('ssh-keygen', ['-lf', `${file}.pub`], { encoding: 'utf8' }).split(' ')[1]!;
    lines[type] = readFileSync(`${file}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
  }
  const authorized = path.join(dir, 'authorized_keys');
  writeFileSync(authorized, opts.authorizedKey ? `${opts.authorizedKey}\n` : '', { mode: 0o644 });
  const conf = [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${path.join(dir, 'ssh_host_ed25519_key')}`,
    `HostKey ${path.join(dir, 'ssh_host_rsa_key')}`,
    `PidFile ${path.join(dir, 'sshd.pid')}`,
    'UsePAM no',
    'PasswordAuthentication yes',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    `AuthorizedKeysFile ${authorized}`,
    'StrictModes no',
    `AllowUsers ${acct.user}`,
    'PermitRootLogin no',
    'X11Forwarding no',
    'AllowTcpForwarding no',
    'PrintMotd no',
    'Subsystem sftp internal-sftp',
    `ForceCommand internal-sftp -d ${home}`,
    'LogLevel VERBOSE',
    ...(opts.extra ?? []),
  ];
  const confFile = path.join(dir, 'sshd_config');
  writeFileSync(confFile, conf.join('\n') + '\n');
  const { proc, output } = startProcess('/usr/sbin/sshd', ['-D', '-e', '-f', confFile], { PATH: process.env.PATH });
  try {
    await waitForPort(port, proc, output, `sshd (${confFile})`);
  } catch (err) {
    await stopProcess(proc);
    throw err;
  }
  return {
    host: '127.0.0.1',
    port,
    user: acct.user,
    password: acct.password,
    home,
    dir,
    hostKeys: keys,
    hostKeyLines: lines,
    log: output,
    async close() {
      await stopProcess(proc);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
