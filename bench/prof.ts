/**
 * Summarise a V8 .cpuprofile (node --cpu-prof): self time by function and by file, and inclusive
 * time of the heaviest functions. Usage: node --import tsx bench/prof.ts FILE.cpuprofile [N]
 */
import { readFileSync } from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[]; hitCount?: number }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

export function summarise(file: string, top = 25): string {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i]!, (self.get(p.samples[i]!) ?? 0) + (p.timeDeltas[i] ?? 0));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const short = (url: string) => url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, '~/').replace(/^.*\/main\//, '');
  const label = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
  const fnSelf = new Map<string, number>();
  const fileSelf = new Map<string, number>();
  const incl = new Map<string, number>();
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    fnSelf.set(label(n), (fnSelf.get(label(n)) ?? 0) + us);
    const f = short(n.callFrame.url) || `(${n.callFrame.functionName})`;
    fileSelf.set(f, (fileSelf.get(f) ?? 0) + us);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const l = label(byId.get(cur)!);
      if (seen.has(l)) continue;
      seen.add(l);
      incl.set(l, (incl.get(l) ?? 0) + us);
    }
  }
  const total = (p.endTime - p.startTime) / 1000;
  const fmt = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, v]) => `${(v / 1000).toFixed(0).padStart(7)} ms  ${k}`).join('\n');
  return `profile ${file}: ${total.toFixed(0)} ms\n-- self time by function\n${fmt(fnSelf)}\n-- self time by file\n${fmt(fileSelf)}\n-- inclusive\n${fmt(incl)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(summarise(process.argv[2]!, Number(process.argv[3] ?? 25)));
