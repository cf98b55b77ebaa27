import type { FastifyReply, FastifyRequest } from 'fastify';
import { LinliError } from '../../firmware-protocol/src/errors.ts';
import { roleAllows, type StaffTokens } from '../security/staff-tokens.ts';
import type { StaffRole, StaffTokenRecord } from '../store/token-repo.ts';

declare module 'fastify' {
  interface FastifyRequest {
    staff?: StaffTokenRecord;
  }
  interface FastifyContextConfig {
    /** The least role that may call a route; routes without it are open (only /healthz and the docs). */
    role?: StaffRole;
  }
}

/** onRequest hook: a route that names a role requires `Authorization: Bearer <token>` of that role or higher. */
export function staffAuth(tokens: StaffTokens) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const required = req.routeOptions.config.role;
    if (!required) return;
    const header = req.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const staff = token ? tokens.authenticate(token) : undefined;
    if (!staff) throw new LinliError('UNAUTHENTICATED');
    if (!roleAllows(staff.role, required)) {
      throw new LinliError('FORBIDDEN', `this action needs the ${required} role; your token has ${staff.role}`);
    }
    req.staff = staff;
  };
}
