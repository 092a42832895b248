// Conditions on a permission grant (attribute-based access control): small JSON rules, checked when
// they are saved and evaluated without `eval`, in bounded time (their size and depth are capped).
//
//   rule    := true | false
//            | { "all": rule[] } | { "any": rule[] } | { "not": rule }
//            | { "exists": path }
//            | { "eq" | "ne" | "lt" | "lte" | "gt" | "gte" | "in" | "contains": [operand, operand] }
//   operand := { "var": path } | string | number | boolean | null | (string | number | boolean)[]
//   path    := "user.x" | "profile.x" | "resource.x" | "context.x" (dots into objects, at most 5 names)
//
// e.g. view:mature-content only for verified adults outside a child profile:
//   { "all": [ { "eq": [ { "var": "user.age_verified" }, true ] }, { "ne": [ { "var": "profile.kind" }, "child" ] } ] }
// and transfer:funds above 1,000 only after a phishing-resistant sign-in:
//   { "any": [ { "lte": [ { "var": "resource.amount" }, 1000 ] }, { "eq": [ { "var": "context.acr" }, "phr" ] } ] }
//
// Evaluation is three-valued: a rule about facts that were not given at all (no resource when a
// token is issued) is `unknown`, not false. A token carries a permission whose condition is true or
// unknown; the check API, which has the facts, denies on unknown.
import { FrontdoorError } from '../errors.ts';

export type Operand = { var: string } | string | number | boolean | null | (string | number | boolean)[];
export type Rule =
  | boolean
  | { all: Rule[] }
  | { any: Rule[] }
  | { not: Rule }
  | { exists: string }
  | { eq: [Operand, Operand] }
  | { ne: [Operand, Operand] }
  | { lt: [Operand, Operand] }
  | { lte: [Operand, Operand] }
  | { gt: [Operand, Operand] }
  | { gte: [Operand, Operand] }
  | { in: [Operand, Operand] }
  | { contains: [Operand, Operand] };

export type Truth = true | false | 'unknown';

/** The facts a rule reads. A root left out is unknown (not given), unlike an attribute it lacks (null). */
export interface Facts {
  user?: Record<string, unknown>;
  profile?: Record<string, unknown>;
  resource?: Record<string, unknown>;
  context?: Record<string, unknown>;
}

const ROOTS = new Set(['user', 'profile', 'resource', 'context']);
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);
const COMPARISONS = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'contains'] as const;
type Comparison = (typeof COMPARISONS)[number];
export const MAX_RULE_DEPTH = 8;
export const MAX_RULE_NODES = 100;
const MAX_STRING = 200;
const MAX_LIST = 50;

function invalid(detail: string): never {
  throw new FrontdoorError('request.invalid', { field: 'condition', detail });
}

function checkPath(path: unknown): string[] {
  if (typeof path !== 'string' || path.length > 200) invalid('a path is a string such as "user.country"');
  const parts = path.split('.');
  if (parts.length < 2 || parts.length > 6 || !ROOTS.has(parts[0]!) || parts.some((p) => !NAME.test(p) || FORBIDDEN.has(p))) {
    invalid(`"${path.slice(0, 60)}" is not a path under user, profile, resource or context`);
  }
  return parts;
}

function checkLiteral(value: unknown): void {
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) invalid('numbers must be finite');
    return;
  }
  if (typeof value === 'string') {
    if (value.length > MAX_STRING) invalid(`strings are at most ${MAX_STRING} characters`);
    return;
  }
  if (Array.isArray(value)) {
    if (value.length > MAX_LIST) invalid(`lists have at most ${MAX_LIST} items`);
    for (const item of value) {
      if (item === null || Array.isArray(item) || typeof item === 'object') invalid('list items are strings, numbers or booleans');
      checkLiteral(item);
    }
    return;
  }
  invalid('an operand is {"var": path} or a string, number, boolean, null or list');
}

function checkOperand(value: unknown): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length !== 1 || keys[0] !== 'var') invalid('an operand object is {"var": path}');
    checkPath((value as { var: unknown }).var);
    return;
  }
  checkLiteral(value);
}

/** Validates a rule as saved (size, depth, paths, operators); throws request.invalid naming `condition`. */
export function parseRule(input: unknown): Rule {
  let nodes = 0;
  const walk = (rule: unknown, depth: number): void => {
    nodes += 1;
    if (nodes > MAX_RULE_NODES) invalid(`a condition has at most ${MAX_RULE_NODES} parts`);
    if (depth > MAX_RULE_DEPTH) invalid(`a condition nests at most ${MAX_RULE_DEPTH} deep`);
    if (typeof rule === 'boolean') return;
    if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) invalid('a rule is true, false or an object with one operator');
    const keys = Object.keys(rule);
    if (keys.length !== 1) invalid('a rule object has exactly one operator');
    const op = keys[0]!;
    const arg = (rule as Record<string, unknown>)[op];
    if (op === 'all' || op === 'any') {
      if (!Array.isArray(arg) || arg.length === 0 || arg.length > MAX_LIST) invalid(`"${op}" takes a list of 1 to ${MAX_LIST} rules`);
      for (const r of arg) walk(r, depth + 1);
    } else if (op === 'not') {
      walk(arg, depth + 1);
    } else if (op === 'exists') {
      checkPath(arg);
    } else if ((COMPARISONS as readonly string[]).includes(op)) {
      if (!Array.isArray(arg) || arg.length !== 2) invalid(`"${op}" takes two operands`);
      checkOperand(arg[0]);
      checkOperand(arg[1]);
    } else {
      invalid(`unknown operator "${op.slice(0, 30)}"`);
    }
  };
  walk(input, 1);
  return input as Rule;
}

const UNKNOWN = Symbol('unknown');
type Value = unknown;

function lookup(facts: Facts, path: string): Value | typeof UNKNOWN {
  const [root, ...rest] = path.split('.');
  let current: unknown = facts[root as keyof Facts];
  if (current === undefined) return UNKNOWN;
  for (const name of rest) {
    if (current === null || typeof current !== 'object' || Array.isArray(current) || !Object.hasOwn(current, name)) return null;
    current = (current as Record<string, unknown>)[name];
  }
  return current === undefined ? null : current;
}

function operand(facts: Facts, value: Operand): Value | typeof UNKNOWN {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? lookup(facts, value.var) : value;
}

function compare(op: Comparison, a: Value, b: Value): boolean {
  switch (op) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'in':
      return Array.isArray(b) && (typeof a === 'string' || typeof a === 'number' || typeof a === 'boolean') && b.includes(a);
    case 'contains':
      return Array.isArray(a) ? a.includes(b) : typeof a === 'string' && typeof b === 'string' && a.includes(b);
    default: {
      // Order only between two numbers or two strings (ISO dates compare as strings).
      if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string'))) return false;
      if (op === 'lt') return a < b;
      if (op === 'lte') return a <= b;
      if (op === 'gt') return a > b;
      return a >= b;
    }
  }
}

/** Evaluates a rule saved through `parseRule` (Kleene logic: unknown facts give unknown, not false). */
export function evaluateRule(rule: Rule, facts: Facts): Truth {
  if (typeof rule === 'boolean') return rule;
  if ('all' in rule) {
    let result: Truth = true;
    for (const r of rule.all) {
      const v = evaluateRule(r, facts);
      if (v === false) return false;
      if (v === 'unknown') result = 'unknown';
    }
    return result;
  }
  if ('any' in rule) {
    let result: Truth = false;
    for (const r of rule.any) {
      const v = evaluateRule(r, facts);
      if (v === true) return true;
      if (v === 'unknown') result = 'unknown';
    }
    return result;
  }
  if ('not' in rule) {
    const v = evaluateRule(rule.not, facts);
    return v === 'unknown' ? 'unknown' : !v;
  }
  if ('exists' in rule) {
    const v = lookup(facts, rule.exists);
    return v === UNKNOWN ? 'unknown' : v !== null;
  }
  const op = Object.keys(rule)[0] as Comparison;
  const [left, right] = (rule as Record<Comparison, [Operand, Operand]>)[op];
  const a = operand(facts, left);
  const b = operand(facts, right);
  if (a === UNKNOWN || b === UNKNOWN) return 'unknown';
  return compare(op, a, b);
}

/** The facts a rule names that were not given (for a decision's reason). */
export function missingFacts(rule: Rule, facts: Facts): string[] {
  const missing = new Set<string>();
  const visit = (r: Rule): void => {
    if (typeof r === 'boolean') return;
    if ('all' in r) return r.all.forEach(visit);
    if ('any' in r) return r.any.forEach(visit);
    if ('not' in r) return visit(r.not);
    if ('exists' in r) {
      if (lookup(facts, r.exists) === UNKNOWN) missing.add(r.exists);
      return;
    }
    for (const o of Object.values(r)[0] as Operand[]) {
      if (o !== null && typeof o === 'object' && !Array.isArray(o) && lookup(facts, o.var) === UNKNOWN) missing.add(o.var);
    }
  };
  visit(rule);
  return [...missing];
}
