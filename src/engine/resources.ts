/** Shared resources of a run (MO client, remote source …), created on first use, closed at the end, last first. */
import type { Logger } from '../log.ts';

export class SharedResources {
  private values = new Map<string, Promise<unknown>>();
  private closers: (() => Promise<void>)[] = [];
  get<T>(key: string, create: () => Promise<T>, close?: (v: T) => Promise<void>): Promise<T> {
    let p = this.values.get(key) as Promise<T> | undefined;
    if (!p) {
      p = create();
      this.values.set(key, p);
      if (close) this.closers.push(async () => {
        const value = await p!.catch(() => undefined); // creation failed: nothing to close
        if (value !== undefined) await close(value);
      });
    }
    return p;
  }
  async closeAll(log: Logger) {
    for (const close of this.closers.reverse()) {
      try { await close(); } catch (e) { log.warn(`closing a resource failed: ${(e as Error).message}`); }
    }
  }
}
