/** YAML files (workflows, mappings, seed) read with line numbers, checked against a JSON schema. */
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { ConfigError } from '../errors.ts';
import { check, preview } from './schema.ts';

export interface YamlFile<T> {
  file: string;
  data: T;
  /** 1-based line of the value at a path, or of its nearest existing parent. */
  lineOf(path: (string | number)[]): number;
}

export function parseYaml<T = unknown>(file: string, text: string): YamlFile<T> {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    // linePos is only set with prettyErrors: the position from the offset
    const pos = e.linePos?.[0] ?? (e.pos ? lineCounter.linePos(e.pos[0]) : undefined);
    throw new ConfigError(`${file}:${pos?.line ?? 1}:${pos?.col ?? 1}: invalid YAML: ${e.message.split('\n')[0]}`);
  }
  const lineOf = (path: (string | number)[]) => {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return 1;
  };
  return { file, data: doc.toJS() as T, lineOf };
}

export function readYaml<T = unknown>(file: string): YamlFile<T> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return parseYaml<T>(file, text);
}

/** Messages `FILE:LINE: at /path: rule (value)` for each schema violation. */
export function schemaMessages(yaml: YamlFile<unknown>, schema: object, data: unknown = yaml.data, basePath: (string | number)[] = []): string[] {
  return check(schema, data).map((v) => {
    const path = [...basePath, ...v.path];
    const shown = v.value === undefined ? '' : ` (got ${preview(v.value)})`;
    return `${yaml.file}:${yaml.lineOf(path)}: ${'/' + path.join('/')}: ${v.message}${shown}`;
  });
}

/** Read a YAML file and require it to match a schema, or throw a ConfigError naming file and line. */
export function loadYaml<T>(file: string, schema: object, what = 'file'): YamlFile<T> {
  const yaml = readYaml<T>(file);
  const problems = schemaMessages(yaml, schema);
  if (problems.length) throw new ConfigError(`invalid ${what} ${file}:\n  ${problems.join('\n  ')}`);
  return yaml;
}
