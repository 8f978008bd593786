/**
 * Server clocks: MDTM times in a server's local time (vsftpd's use_localtime=YES, Debian's
 * default), and the check that compares an uploaded file's MDTM with the time of the upload.
 */
import { SourceError } from './errors.ts';

/** Throws a SourceError unless `zone` is an IANA time zone (e.g. "Europe/Copenhagen", "UTC"). */
export function checkTimeZone(zone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new SourceError(`server_timezone "${zone}" is not a time zone (use an IANA name such as Europe/Copenhagen or UTC)`, {
      operation: 'configure',
      retryable: false,
    });
  }
  return zone;
}

/** How far the wall clock in `zone` is ahead of UTC at `at`, in ms (Copenhagen: 3600000 in winter, 7200000 in summer). */
export function zoneOffsetMs(zone: string, at: Date): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(at.getTime() / 1000) * 1000;
}

/** A wall-clock time in `zone` that was read as if it were UTC (basic-ftp's MDTM parser) → the instant it means. */
export function fromZoneWallClock(zone: string, wallAsUtc: Date): Date {
  const w = wallAsUtc.getTime();
  let t = w - zoneOffsetMs(zone, wallAsUtc);
  t = w - zoneOffsetMs(zone, new Date(t)); // second pass: the offset at the instant itself (DST edges)
  return new Date(t);
}

const minutes = (ms: number) => Math.round(ms / 60_000);

/**
 * The clock check: `mdtm` is what the server said (read as UTC) for a file written during
 * [`before`, `after`]; `zone` the configured server_timezone. Returns a warning when the server's
 * MDTM times are off by more than two minutes from what the setting makes of them, else undefined.
 */
export function clockCheck(mdtm: Date, before: Date, after: Date, zone: string | undefined): { offsetMinutes: number; warning?: string } {
  const expected = zone ? zoneOffsetMs(zone, after) : 0;
  // the server stamps the file between the start and the end of the upload; MDTM has whole seconds
  const lo = Math.floor(before.getTime() / 1000) * 1000 + expected - 120_000;
  const hi = after.getTime() + expected + 120_000;
  const t = mdtm.getTime();
  const offset = t - after.getTime();
  const offsetMinutes = minutes(offset);
  if (t >= lo && t <= hi) return { offsetMinutes };
  const sign = offsetMinutes >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  const hm = `${sign}${Math.floor(abs / 60)}:${String(abs % 60).padStart(2, '0')}`;
  const whole = abs % 15 === 0 && abs > 0;
  const setting = zone ? `server_timezone=${zone} (UTC${zone === 'UTC' ? '' : `${minutes(expected) >= 0 ? '+' : '-'}${Math.floor(Math.abs(minutes(expected)) / 60)}:${String(Math.abs(minutes(expected)) % 60).padStart(2, '0')}`} now)` : 'no server_timezone (MDTM read as UTC)';
  const hint = whole
    ? `the server gives MDTM in local time (vsftpd: use_localtime=YES): set server_timezone to its zone (e.g. Europe/Copenhagen), or have it use UTC`
    : `the server's clock is off; have it synchronised (NTP)`;
  return {
    offsetMinutes,
    warning: `the server's file times are UTC${hm} (measured on an uploaded file), but los2mo reads them with ${setting}: files are selected up to ${Math.abs(minutes(offset - expected))} min off — ${hint}`,
  };
}
