import type { FastifyReply, FastifyRequest } from 'fastify';
import { LinliError } from '../../firmware-protocol/src/errors.ts';
import { roleAllows, type StaffTokens } from '../security/staff-tokens.ts';
import type { StaffRole, StaffTokenRecord } from '../store/token-repo.ts';

declare module 'fastify' {
  interface FastifyRequest {
    staff?: StaffTokenRecord;
  }
  interface FastifyContextConfig {
    /** The least role that may call a route. A route without one needs admin unless it is public. */
    role?: StaffRole;
    /** Open without a token: only /healthz, the API documentation and the dashboard page (which holds no data). */
    public?: boolean;
    /** A shop's token (scoped to one merchant) may call this route; the handler limits it to that merchant. */
    merchantScoped?: boolean;
  }
}

/** The documentation routes come from @fastify/swagger-ui and cannot carry our route config. */
const isDocs = (url: string | undefined) => url === '/docs' || (url?.startsWith('/docs/') ?? false);

/**
 * onRequest hook: every route needs `Authorization: Bearer <token>` of its role or higher. Deny by
 * default: a route that forgot to name a role needs admin, so a new route is never open by accident.
 */
export function staffAuth(tokens: StaffTokens) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const cfg = req.routeOptions.config;
    if (cfg.public || isDocs(req.routeOptions.url)) return;
    const required: StaffRole = cfg.role ?? 'admin';
    const header = req.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const staff = token ? tokens.authenticate(token) : undefined;
    if (!staff) throw new LinliError('UNAUTHENTICATED');
    if (!roleAllows(staff.role, required)) {
      throw new LinliError('FORBIDDEN', `this action needs the ${required} role; your token has ${staff.role}`);
    }
    // deny by default for shop tokens too: only routes that filter by merchant admit them
    if (staff.merchantId !== null && !cfg.merchantScoped)
      throw new LinliError(
        'FORBIDDEN',
        `a token of shop ${staff.merchantId} may only read and reverse that shop's redemptions`,
      );
    req.staff = staff;
  };
}
