import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ZodError } from 'zod';
import { ERROR_CATALOGUE, LinliError } from '../../firmware-protocol/src/errors.ts';
import { formatIssues } from '../../firmware-protocol/src/decode.ts';

/** Maps every error to the catalogue's `{ error: { code, message, details } }` form with its HTTP status. */
export function errorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof LinliError) {
    void reply
      .code(err.httpStatus)
      .send({ error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) } });
    return;
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const issues = err.validation.map((v) => ({
      path: `${err.validationContext ?? ''}${v.instancePath.replaceAll('/', '.')}`,
      message: v.message ?? 'invalid',
    }));
    void reply.code(400).send({
      error: {
        code: 'VALIDATION_FAILED',
        message: issues.map((i) => `${i.path}: ${i.message}`).join('; '),
        details: { issues },
      },
    });
    return;
  }
  if (err instanceof ZodError) {
    const issues = formatIssues(err);
    void reply.code(400).send({
      error: {
        code: 'VALIDATION_FAILED',
        message: issues.map((i) => `${i.path}: ${i.message}`).join('; '),
        details: { issues },
      },
    });
    return;
  }
  const status = 'statusCode' in err && typeof err.statusCode === 'number' ? err.statusCode : 500;
  if (status >= 500) req.log.error({ err }, 'request failed');
  const code = status === 404 ? 'NOT_FOUND' : status < 500 ? 'VALIDATION_FAILED' : 'INTERNAL_ERROR';
  void reply
    .code(status)
    .send({ error: { code, message: status < 500 ? err.message : ERROR_CATALOGUE.INTERNAL_ERROR.message } });
}

/** Unknown routes answer in the documented form too, never Fastify's own `{statusCode, error, message}`. */
export function notFoundHandler(req: FastifyRequest, reply: FastifyReply): void {
  const path = req.url.split('?')[0] ?? req.url;
  void reply.code(404).send({
    error: { code: 'NOT_FOUND', message: `no route ${req.method} ${path}`, details: { method: req.method, path } },
  });
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * One line per request: reads that went well at debug (a dashboard polls every few seconds), changes and
 * refusals at info; failures were logged as errors by the error handler already, with their cause.
 */
export async function logRequest(req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const fields = {
    method: req.method,
    url: req.url.split('?')[0],
    status: reply.statusCode,
    ms: Math.round(reply.elapsedTime),
    staff: req.staff?.id,
  };
  if (READS.has(req.method) && reply.statusCode < 400) req.log.debug(fields, 'request');
  else req.log.info(fields, 'request');
}
