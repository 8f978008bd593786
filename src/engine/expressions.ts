/**
 * `${{ … }}` expressions: a documented subset of GitHub Actions' expression language, over a
 * context such as `{ env, settings, steps: { fetch: { outputs } }, run }`. One grammar, one parser:
 * the workflow check and the evaluation read the same tree.
 *
 *   expression := or
 *   or         := and ('||' and)*            value-returning, like GitHub Actions (and JS)
 *   and        := compare ('&&' compare)*
 *   compare    := unary (('==' | '!=' | '<' | '>' | '<=' | '>=') unary)*
 *   unary      := '!' unary | primary
 *   primary    := literal | '(' expression ')' | name ('.' name | '[' literal ']')*
 *   literal    := 'text' | "text" | number | true | false | null
 *   name       := letter or _, then letters, digits, _ and -
 *
 * Property access reads own properties only: `a.b` and `a['b']` are the same path; an index is a
 * literal (so every path is known before the run and checked: unknown step outputs, `run.` and
 * `settings.` properties fail the workflow check); a name the value does not have (`toString`,
 * `constructor`, `__proto__` included) is undefined, never an inherited member. No functions
 * (`contains()`, `format()` …) and no `*` filters.
 */
export class ExpressionError extends Error {}

type Token = { kind: 'num' | 'str' | 'id' | 'op'; value: string };

/** The parsed expression. A path's segments are property names (`.name`, `['name']`) or array indexes (`[0]`). */
export type Node =
  | { type: 'literal'; value: string | number | boolean | null }
  | { type: 'path'; root: string; segments: (string | number)[] }
  | { type: 'not'; operand: Node }
  | { type: 'binary'; op: string; left: Node; right: Node };

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

const COMPARE = ['==', '!=', '<', '>', '<=', '>='];

/** Parse an expression (the text between `${{` and `}}`); throws ExpressionError on bad syntax. */
export function parse(src: string): Node {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = () => tokens[pos];
  const take = (value?: string) => {
    const t = tokens[pos];
    if (!t || (value !== undefined && t.value !== value)) throw new ExpressionError(`expected ${value ? `"${value}"` : 'a value'} in "${src}"`);
    pos++;
    return t;
  };
  function primary(): Node {
    const t = take();
    if (t.kind === 'num') return { type: 'literal', value: Number(t.value) };
    if (t.kind === 'str') return { type: 'literal', value: t.value };
    if (t.value === '(') { const e = or(); take(')'); return e; }
    if (t.value === '!') return { type: 'not', operand: primary() };
    if (t.kind !== 'id') throw new ExpressionError(`unexpected "${t.value}" in "${src}"`);
    if (t.value === 'true' || t.value === 'false') return { type: 'literal', value: t.value === 'true' };
    if (t.value === 'null') return { type: 'literal', value: null };
    const segments: (string | number)[] = [];
    for (;;) {
      if (peek()?.value === '.') {
        pos++;
        const name = take();
        if (name.kind !== 'id') throw new ExpressionError(`expected a property name after "." in "${src}"`);
        segments.push(name.value);
      } else if (peek()?.value === '[') {
        pos++;
        const index = take();
        if (index.kind !== 'str' && index.kind !== 'num') throw new ExpressionError(`an index must be a 'string' or a number literal (a['b'], a[0]) in "${src}"`);
        take(']');
        segments.push(index.kind === 'num' ? Number(index.value) : index.value);
      } else return { type: 'path', root: t.value, segments };
    }
  }
  function compare(): Node {
    let left = primary();
    while (peek() && COMPARE.includes(peek()!.value)) left = { type: 'binary', op: take().value, left, right: primary() };
    return left;
  }
  function and(): Node {
    let left = compare();
    while (peek()?.value === '&&') { take(); left = { type: 'binary', op: '&&', left, right: compare() }; }
    return left;
  }
  function or(): Node {
    let left = and();
    while (peek()?.value === '||') { take(); left = { type: 'binary', op: '||', left, right: and() }; }
    return left;
  }
  const node = or();
  if (pos < tokens.length) throw new ExpressionError(`unexpected "${tokens[pos]!.value}" in "${src}"`);
  return node;
}

/** Every path a parsed expression reads, root first. */
export function pathsOf(node: Node, out: string[][] = []): string[][] {
  if (node.type === 'path') out.push([node.root, ...node.segments.map(String)]);
  else if (node.type === 'not') pathsOf(node.operand, out);
  else if (node.type === 'binary') { pathsOf(node.left, out); pathsOf(node.right, out); }
  return out;
}

/** Paths an expression reads, e.g. [['steps','fetch','outputs','files']] — used to check references before a run. */
export const referencedPaths = (src: string): string[][] => pathsOf(parse(src));

/** An own property of an object or array; anything else (inherited members included) is undefined. */
export function ownProperty(value: unknown, key: string | number): unknown {
  if (value === null || typeof value !== 'object') return undefined;
  return Object.hasOwn(value, key) ? (value as Record<string, unknown>)[key] : undefined;
}

function evaluateNode(node: Node, context: Record<string, unknown>, src: string): unknown {
  switch (node.type) {
    case 'literal': return node.value;
    case 'not': return !evaluateNode(node.operand, context, src);
    case 'path': {
      if (!Object.hasOwn(context, node.root)) throw new ExpressionError(`unknown name "${node.root}" in "${src}" (known: ${Object.keys(context).join(', ')})`);
      let value = context[node.root];
      for (const s of node.segments) value = ownProperty(value, s);
      return value;
    }
    case 'binary': {
      const left = evaluateNode(node.left, context, src);
      if (node.op === '&&') return left && evaluateNode(node.right, context, src);
      if (node.op === '||') return left || evaluateNode(node.right, context, src);
      const right = evaluateNode(node.right, context, src);
      const l = left as number, r = right as number;
      return node.op === '==' ? left === right : node.op === '!=' ? left !== right : node.op === '<' ? l < r : node.op === '>' ? l > r : node.op === '<=' ? l <= r : l >= r;
    }
  }
}

export function evaluate(src: string, context: Record<string, unknown>): unknown {
  return evaluateNode(parse(src), context, src);
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
