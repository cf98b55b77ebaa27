import type { Gateway } from '../app.ts';
import { LinliError } from '../../firmware-protocol/src/errors.ts';
import {
  claimSimDevices,
  DEMO_MARK,
  type RegistryPort,
  type SimCredential,
  type SimFleetPlan,
} from '../../sim/src/index.ts';

/**
 * A fresh secret for every simulated device of the demo. The demo, like `linli sim`, touches only
 * devices it created (ids `sim-…`, named "… (linli demo)"): its own from an earlier run get a new secret
 * (secrets are never stored in clear); any other device, or one staff disabled, is passed by untouched.
 */
export async function demoCredentials(
  gw: Gateway,
  plan: SimFleetPlan,
): Promise<{ credentials: SimCredential[]; passed: { id: string; why: string }[] }> {
  const port: RegistryPort = {
    find: async (id) => gw.store.devices.get(id),
    async provision(d) {
      try {
        return (await gw.devices.provision(d)).secret;
      } catch (err) {
        if (err instanceof LinliError && err.code === 'DEVICE_EXISTS') return undefined;
        throw err;
      }
    },
    rotate: async (id) => (await gw.devices.rotateSecret(id)).secret,
  };
  const { claimed, passed } = await claimSimDevices(plan, DEMO_MARK, port);
  return { credentials: claimed.map(({ id, kind, secret }) => ({ id, kind, secret })), passed };
}
