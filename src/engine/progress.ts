/** Live counts of a step or sub-task, and their one-line text. */
import type { Progress } from './step.ts';

export const countsText = (counts: Record<string, number>) =>
  Object.entries(counts).filter(([, v]) => v !== 0).map(([k, v]) => `${v.toLocaleString('en-US')} ${k}`).join(' · ');

/** Live counts, redrawn at most every 100 ms; `close()` stops redraws once the task is done. */
export function makeProgress(onChange: (p: Progress & { text?: string }) => void): Progress & { text?: string; close(): void } {
  const counts: Record<string, number> = {};
  let last = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const changed = () => {
    if (closed) return;
    const now = Date.now();
    if (now - last > 100) { last = now; onChange(progress); }
    else if (!timer) timer = setTimeout(() => { timer = undefined; last = Date.now(); onChange(progress); }, 110).unref();
  };
  const progress: Progress & { text?: string; close(): void } = {
    counts,
    close() { closed = true; if (timer) clearTimeout(timer); },
    set(name, value) { counts[name] = value; changed(); },
    add(name, n = 1) { counts[name] = (counts[name] ?? 0) + n; changed(); },
    message(text) { progress.text = text; changed(); },
  };
  return progress;
}
