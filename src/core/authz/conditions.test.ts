import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrontdoorError } from '../errors.ts';
import { evaluateRule, MAX_RULE_DEPTH, MAX_RULE_NODES, missingFacts, parseRule, type Facts, type Rule } from './conditions.ts';

const MATURE: Rule = { all: [{ eq: [{ var: 'user.age_verified' }, true] }, { ne: [{ var: 'profile.kind' }, 'child'] }] };
const TRANSFER: Rule = { any: [{ lte: [{ var: 'resource.amount' }, 1000] }, { eq: [{ var: 'context.acr' }, 'phr'] }] };

describe('permission conditions', () => {
  it('decides the examples: mature content for verified adults outside a child profile', () => {
    expect(evaluateRule(parseRule(MATURE), { user: { age_verified: true }, profile: {} })).toBe(true);
    expect(evaluateRule(MATURE, { user: { age_verified: true }, profile: { kind: 'child' } })).toBe(false);
    expect(evaluateRule(MATURE, { user: { age_verified: false }, profile: {} })).toBe(false);
    // An attribute the user lacks is null, not unknown: not verified.
    expect(evaluateRule(MATURE, { user: {}, profile: {} })).toBe(false);
  });

  it('decides the examples: transfers above 1,000 only after a phishing-resistant sign-in', () => {
    expect(evaluateRule(parseRule(TRANSFER), { resource: { amount: 500 }, context: { acr: 'pwd' } })).toBe(true);
    expect(evaluateRule(TRANSFER, { resource: { amount: 2500 }, context: { acr: 'pwd' } })).toBe(false);
    expect(evaluateRule(TRANSFER, { resource: { amount: 2500 }, context: { acr: 'phr' } })).toBe(true);
    // No resource given (a token being issued): unknown, and the missing fact is named.
    expect(evaluateRule(TRANSFER, { context: { acr: 'pwd' } })).toBe('unknown');
    expect(missingFacts(TRANSFER, { context: { acr: 'pwd' } })).toEqual(['resource.amount']);
    expect(evaluateRule(TRANSFER, { context: { acr: 'phr' } })).toBe(true);
  });

  it('compares only like with like, and lists by membership', () => {
    expect(evaluateRule({ lt: [{ var: 'resource.amount' }, 10] }, { resource: { amount: '5' } })).toBe(false);
    expect(evaluateRule({ in: [{ var: 'user.country' }, ['DE', 'AT']] }, { user: { country: 'AT' } })).toBe(true);
    expect(evaluateRule({ contains: [{ var: 'user.roles' }, 'premium'] }, { user: { roles: ['customer', 'premium'] } })).toBe(true);
    expect(evaluateRule({ not: { exists: 'user.country' } }, { user: {} })).toBe(true);
  });

  it('does not reach inherited properties through a path', () => {
    expect(() => parseRule({ eq: [{ var: 'user.__proto__' }, null] })).toThrow(FrontdoorError);
    expect(() => parseRule({ eq: [{ var: 'user.constructor.name' }, 'Object'] })).toThrow(FrontdoorError);
    expect(evaluateRule({ exists: 'user.toString' }, { user: {} })).toBe(false);
    expect(evaluateRule({ eq: [{ var: 'user.hasOwnProperty' }, null] }, { user: {} })).toBe(true);
  });

  it('refuses rules that are not rules, naming the condition field', () => {
    const bad: unknown[] = [
      'user.age_verified == true',
      { $where: 'this.x' },
      { eq: [1] },
      { eq: [{ var: 'session.acr' }, 'phr'] },
      { all: [] },
      { all: [true], any: [true] },
      { eq: [{ var: 'user.x', extra: 1 }, 1] },
      { eq: [{ fn: 'x' }, 1] },
      { eq: [Number.NaN, 1] },
      { in: [{ var: 'user.x' }, [[1]]] },
      { regex: [{ var: 'user.email' }, '.*'] },
    ];
    for (const rule of bad) {
      const error = (() => {
        try {
          parseRule(rule);
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(error, JSON.stringify(rule)).toBeInstanceOf(FrontdoorError);
      expect((error as FrontdoorError).code).toBe('request.invalid');
    }
  });

  it('bounds the size and depth of a rule', () => {
    let deep: Rule = true;
    for (let i = 0; i < MAX_RULE_DEPTH; i += 1) deep = { not: deep };
    const detail = (rule: unknown) => {
      try {
        parseRule(rule);
        return null;
      } catch (error) {
        return (error as FrontdoorError).detail;
      }
    };
    expect(detail(deep)).toMatch(/nests at most/);
    expect(detail((deep as { not: Rule }).not)).toBeNull();
    const wide = { any: Array.from({ length: 50 }, () => ({ all: [true, true] })) };
    expect(detail(wide)).toMatch(new RegExp(`at most ${MAX_RULE_NODES} parts`));
  });

  it('evaluates any rule it accepts, on any facts, without throwing', () => {
    const path = fc.constantFrom('user.a', 'user.b.c', 'profile.kind', 'resource.amount', 'context.acr', 'context.x.y');
    const literal = fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), { maxLength: 3 }));
    const operand = fc.oneof(path.map((p) => ({ var: p })), literal);
    const { rule } = fc.letrec((tie) => ({
      rule: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.boolean(),
        fc.tuple(fc.constantFrom('eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'contains'), operand, operand).map(([op, a, b]) => ({ [op]: [a, b] })),
        path.map((p) => ({ exists: p })),
        fc.array(tie('rule'), { minLength: 1, maxLength: 3 }).map((all) => ({ all })),
        fc.array(tie('rule'), { minLength: 1, maxLength: 3 }).map((any) => ({ any })),
        tie('rule').map((not) => ({ not })),
      ),
    }));
    const value = fc.jsonValue({ maxDepth: 3 });
    const facts = fc.record({ user: fc.dictionary(fc.constantFrom('a', 'b', 'c'), value), profile: fc.dictionary(fc.constantFrom('kind'), value), resource: fc.dictionary(fc.constantFrom('amount'), value), context: fc.dictionary(fc.constantFrom('acr', 'x'), value) }, { requiredKeys: [] });
    fc.assert(
      fc.property(rule, facts, (r, f) => {
        let parsed: Rule;
        try {
          parsed = parseRule(r);
        } catch (error) {
          return error instanceof FrontdoorError;
        }
        const result = evaluateRule(parsed, f as Facts);
        return result === true || result === false || result === 'unknown';
      }),
      { numRuns: 500 },
    );
  });
});
