// POST /auth (`docker login`): the credentials are checked against the registry; the client stores them.
import type { Route } from '../api/router.js';
import { credentialsOf, registryOfServerAddress, type AuthConfig } from '../api/registry-auth.js';
import { EngineError } from '../errors.js';
import type { EngineServices } from '../services.js';

/** POST /auth. */
export function authRoutes(services: EngineServices): Route[] {
  return [
    {
      method: 'POST',
      path: '/auth',
      handler: async (req, res) => {
        const body = await req.json<AuthConfig>();
        const registry = registryOfServerAddress(body.serveraddress);
        const creds = credentialsOf(body);
        if (!creds) throw new EngineError(`login to ${registry}: a username and password (or an identity token) are required`, 'InvalidArgument');
        // A rejected login is the registry's 401 (ImageError Unauthorized) and reaches the client as 401.
        await services.images.registry.ping(registry, creds);
        res.json(200, { Status: 'Login Succeeded', IdentityToken: '' });
      },
    },
  ];
}
