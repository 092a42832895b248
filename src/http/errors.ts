// The one place domain errors become HTTP: a stable `error` code and a human `message`.
import type { FastifyError } from 'fastify';
import { FrontdoorError, type ErrorCode } from '../core/errors.ts';
import { errorMessage, isLocale } from '../pages/i18n/index.ts';

export interface ErrorBody {
  error: ErrorCode;
  message: string;
  field?: string;
}

/** Driver codes that mean "the database cannot be reached just now", not "this request is wrong". */
const DATABASE_UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', '57P01', '57P02', '57P03', '53300', 'SQLITE_BUSY']);

/** A database that is down, restarting, out of connections or locked: try again soon (503), not a bug (500). */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (DATABASE_UNAVAILABLE.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  // node-postgres says these in words only.
  return typeof message === 'string' && /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/.test(message);
}

/** Normalizes anything thrown in a request into a FrontdoorError (unknown errors become server.error). */
export function toFrontdoorError(error: unknown): FrontdoorError {
  if (error instanceof FrontdoorError) return error;
  if (isDatabaseUnavailable(error)) return new FrontdoorError('server.busy', { cause: error, retryAfterSeconds: 1 });
  const fastifyError = error as Partial<FastifyError> & { validation?: unknown };
  if (fastifyError && typeof fastifyError === 'object') {
    if (fastifyError.validation) {
      const first = Array.isArray(fastifyError.validation) ? (fastifyError.validation[0] as { instancePath?: string; params?: Record<string, unknown> } | undefined) : undefined;
      const field = first?.instancePath?.replace(/^\//, '') || (first?.params?.missingProperty as string | undefined) || (first?.params?.additionalProperty as string | undefined);
      return new FrontdoorError('request.invalid', { detail: fastifyError.message, ...(field ? { field } : {}) });
    }
    const status = fastifyError.statusCode;
    if (status === 413 || fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new FrontdoorError('request.too_large');
    if (status === 415 || fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new FrontdoorError('request.unsupported_media_type');
    if (status === 404) return new FrontdoorError('request.not_found');
    if (typeof status === 'number' && status >= 400 && status < 500) return new FrontdoorError('request.invalid', { status, detail: fastifyError.message });
  }
  return new FrontdoorError('server.error', { cause: error });
}

export function errorBody(error: FrontdoorError, locale = 'en'): ErrorBody {
  const body: ErrorBody = { error: error.code, message: errorMessage(isLocale(locale) ? locale : 'en', error.code) };
  if (error.field) body.field = error.field;
  return body;
}
