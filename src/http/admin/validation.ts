// How admin requests are checked: TypeBox's compiled validator, which refuses unknown properties
// (Fastify's default Ajv setup would silently drop them, hiding mass-assignment attempts), and a
// JSON parser that treats an empty body as no body.
import type { FastifySchemaCompiler } from 'fastify';
import { Compile } from 'typebox/compile';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import type { AdminApp } from './schemas.ts';

interface ValidationIssue {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

/** TypeBox errors in the shape the shared error mapper reads (Ajv's `params.missingProperty`). */
function toIssues(errors: readonly { keyword: string; instancePath: string; params: object; message: string }[]): ValidationIssue[] {
  return errors.map((error) => {
    const params = { ...error.params } as Record<string, unknown>;
    if (error.keyword === 'required' && Array.isArray(params.requiredProperties)) params.missingProperty = params.requiredProperties[0];
    return { keyword: error.keyword, instancePath: error.instancePath, params, message: error.message };
  });
}

export const adminValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const validator = Compile(schema);
  return (value: unknown) => {
    // Query strings and path parameters arrive as text: "50" becomes 50 where an integer is due.
    const candidate = httpPart === 'body' ? value : Value.Convert(schema, value);
    if (validator.Check(candidate)) return { value: candidate };
    return { error: toIssues(validator.Errors(candidate)) as never };
  };
};

export function registerAdminParsing(admin: AdminApp): void {
  admin.setValidatorCompiler(adminValidatorCompiler);
  // DELETE and body-less POSTs often still carry `content-type: application/json`.
  const json = admin.getDefaultJsonParser('error', 'error');
  admin.removeContentTypeParser('application/json');
  admin.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') {
      done(null, undefined);
      return;
    }
    json(request, String(body), done);
  });
}
