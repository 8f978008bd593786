/** Shared by the operations commands (`status`, `show tree`): settings as a run sees them, time display. */
import { existsSync } from 'node:fs';
import { readWorkflow, resolveWorkflowPath } from '../engine/workflow.ts';
import { ConfigError } from '../errors.ts';
import { resolveSettings, type Settings } from '../settings.ts';
import { copenhagenDay, isoWithOffset } from '../time.ts';

export interface OpsSettingsOptions {
  overrides?: string[];
  settingsFile?: string;
  /** The workflow whose `settings:` defaults apply (as in a run); default `import` when it exists. */
  workflow?: string;
  env?: NodeJS.ProcessEnv;
}

/** The settings a run of the workflow would use (--set > env > settings file > workflow > default). */
export function opsSettings(options: OpsSettingsOptions): Settings {
  const env = options.env ?? process.env;
  let workflowDefaults: Record<string, string> = {};
  const file = resolveWorkflowPath(options.workflow ?? 'import');
  if (options.workflow || existsSync(file)) {
    if (!existsSync(file)) throw new ConfigError(`workflow ${options.workflow} not found`);
    workflowDefaults = readWorkflow(file, env).settingsDefaults;
  }
  return resolveSettings({ overrides: options.overrides, settingsFile: options.settingsFile, env, workflowDefaults });
}

/** `2026-11-27 00:13:16` in Copenhagen time. */
export const localTime = (iso: string | Date | undefined | null) => {
  if (!iso) return '';
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  if (Number.isNaN(d.getTime())) return String(iso);
  return isoWithOffset(d).slice(0, 19).replace('T', ' ');
};

/** "5 min ago", "3 h ago", "2 days ago". */
export function ago(iso: string | Date | undefined | null, now = new Date()): string {
  if (!iso) return '';
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  const s = Math.round((now.getTime() - d.getTime()) / 1000);
  if (!Number.isFinite(s)) return '';
  if (s < 0) return 'in the future';
  if (s < 90) return `${s} s ago`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min ago`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}

export const today = () => copenhagenDay(new Date());

/** A duration: `1.2 s`, `4m05s`, `1.5 h`. */
export function duration(ms: number | undefined): string {
  if (ms === undefined) return '';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const t = Math.round(ms / 1000);
  if (t < 3600) return `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}
