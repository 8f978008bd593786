/**
 * `${{ … }}` expressions as in GitHub Actions, over a context such as
 * `{ env, settings, steps: { fetch: { outputs } }, run }`.
 * Grammar: literals ('text', 12, true, false, null), property paths (a.b.c, a['b']),
 * `!`, `==`, `!=`, `<`, `>`, `<=`, `>=`, `&&`, `||` (value-returning, like JS), parentheses.
 * A string that is exactly one expression keeps the expression's type; otherwise the parts are
 * interpolated as text.
 */
export class ExpressionError extends Error {}

type Token = { kind: 'num' | 'str' | 'id' | 'op'; value: string };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) { i++; continue; }
    const two = src.slice(i, i + 2);
    if (['==', '!=', '<=', '>=', '&&', '||'].includes(two)) { tokens.push({ kind: 'op', value: two }); i += 2; continue; }
    if ('!<>()[].'.includes(c)) { tokens.push({ kind: 'op', value: c }); i++; continue; }
    if (c === "'" || c === '"') {
      let j = i + 1, text = '';
      while (j < src.length && src[j] !== c) text += src[j++];
      if (j >= src.length) throw new ExpressionError(`unterminated string in "${src}"`);
      tokens.push({ kind: 'str', value: text }); i = j + 1; continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(src.slice(i));
    if (num) { tokens.push({ kind: 'num', value: num[0] }); i += num[0].length; continue; }
    const id = /^[A-Za-z_][\w-]*/.exec(src.slice(i));
    if (id) { tokens.push({ kind: 'id', value: id[0] }); i += id[0].length; continue; }
    throw new ExpressionError(`unexpected "${c}" in "${src}"`);
  }
  return tokens;
}

/** Paths an expression reads, e.g. [['steps','fetch','outputs','files']] — used to check references before a run. */
export function referencedPaths(src: string): string[][] {
  const out: string[][] = [];
  const tokens = tokenize(src);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'id' || ['true', 'false', 'null'].includes(t.value) || tokens[i - 1]?.value === '.') continue;
    const path = [t.value];
    while (tokens[i + 1]?.value === '.' && tokens[i + 2]?.kind === 'id') { path.push(tokens[i + 2]!.value); i += 2; }
    out.push(path);
  }
  return out;
}

export function evaluate(src: string, context: Record<string, unknown>): unknown {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = () => tokens[pos];
  const take = (value?: string) => {
    const t = tokens[pos];
    if (!t || (value !== undefined && t.value !== value)) throw new ExpressionError(`expected ${value ?? 'a value'} in "${src}"`);
    pos++;
    return t;
  };
  const lookup = (obj: unknown, key: string) => (obj !== null && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined);

  function primary(): unknown {
    const t = take();
    if (t.kind === 'num') return Number(t.value);
    if (t.kind === 'str') return t.value;
    if (t.value === '(') { const v = or(); take(')'); return v; }
    if (t.value === '!') return !primary();
    if (t.kind !== 'id') throw new ExpressionError(`unexpected "${t.value}" in "${src}"`);
    if (t.value === 'true') return true;
    if (t.value === 'false') return false;
    if (t.value === 'null') return null;
    let value = context[t.value];
    if (!(t.value in context)) throw new ExpressionError(`unknown name "${t.value}" in "${src}" (known: ${Object.keys(context).join(', ')})`);
    for (;;) {
      if (peek()?.value === '.') { pos++; value = lookup(value, take().value); }
      else if (peek()?.value === '[') { pos++; const key = or(); take(']'); value = lookup(value, String(key)); }
      else return value;
    }
  }
  function compare(): unknown {
    let left = primary();
    while (peek() && ['==', '!=', '<', '>', '<=', '>='].includes(peek()!.value)) {
      const op = take().value, right = primary();
      const l = left as number, r = right as number;
      left = op === '==' ? left === right : op === '!=' ? left !== right : op === '<' ? l < r : op === '>' ? l > r : op === '<=' ? l <= r : l >= r;
    }
    return left;
  }
  function and(): unknown {
    let left = compare();
    while (peek()?.value === '&&') { take(); const right = compare(); left = left && right; }
    return left;
  }
  function or(): unknown {
    let left = and();
    while (peek()?.value === '||') { take(); const right = and(); left = left || right; }
    return left;
  }
  const value = or();
  if (pos < tokens.length) throw new ExpressionError(`unexpected "${tokens[pos]!.value}" in "${src}"`);
  return value;
}

const EXPR = /\$\{\{\s*(.*?)\s*\}\}/g;
const WHOLE = /^\$\{\{\s*(.*?)\s*\}\}$/;

export const hasExpression = (text: string) => /\$\{\{/.test(text);

/** Every expression inside a string. */
export const expressionsIn = (text: string) => [...text.matchAll(EXPR)].map((m) => m[1]!);

export function interpolate(text: string, context: Record<string, unknown>): unknown {
  const whole = WHOLE.exec(text);
  if (whole && expressionsIn(text).length === 1) return evaluate(whole[1]!, context);
  return text.replace(EXPR, (_, expr: string) => {
    const v = evaluate(expr, context);
    return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  });
}

/** Resolve expressions in every string of a YAML-ish value. */
export function resolveDeep(value: unknown, context: Record<string, unknown>): unknown {
  if (typeof value === 'string') return hasExpression(value) ? interpolate(value, context) : value;
  if (Array.isArray(value)) return value.map((v) => resolveDeep(v, context));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveDeep(v, context)]));
  return value;
}

/** Walk every string in a value with its path (for static checks). */
export function* stringsIn(value: unknown, path: (string | number)[] = []): Generator<[string, (string | number)[]]> {
  if (typeof value === 'string') yield [value, path];
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* stringsIn(v, [...path, i]);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) yield* stringsIn(v, [...path, k]);
}
