// A real OpenID Connect provider (panva's certified oidc-provider) on loopback for the web UI's login tests.
//
//   node start.mjs '{"clientId":"tempora-ui","clientSecret":"s3cret","redirectUris":["http://127.0.0.1:5000/auth/sso/callback"],
//                   "postLogoutRedirectUris":["http://127.0.0.1:5000/auth/logout/callback"],
//                   "accounts":{"reader":["default:read"],"writer":["default:write"]}}'
//
// It listens on a port the OS picks and prints "listening <issuer>" once it answers; it exits when its standard input
// closes, so a test that dies does not leave it behind. Sign-in is the provider's development login form (any
// password; the login must be one of the accounts). Each account's `permissions` claim (Temporal's namespace:role
// entries) is in its ID token and in its access token, a JWT for the resource `urn:tempora` signed with a key made
// at start and published at the issuer's jwks_uri, where the frontend's claim mapper fetches it. Optional
// "serviceClients" ({"id": {"secret": "...", "permissions": [...]}}) get such access tokens by the client-credentials
// grant (resource urn:tempora, scope temporal): the SDK client and worker of a test with the authorizer on.
// "accessTokenPermissions": false leaves the users' access tokens without the claim (only their ID tokens have it),
// so a test can tell which of the two the UI sends.
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const config = JSON.parse(process.argv[2] ?? '{}');
const accounts = config.accounts ?? {};
const serviceClients = config.serviceClients ?? {};
const resource = 'urn:tempora';

const server = createServer();
await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
const issuer = `http://127.0.0.1:${server.address().port}`;

const signingKey = {
  ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
  kid: 'tempora-test', alg: 'RS256', use: 'sig',
};

const provider = new Provider(issuer, {
  clients: [{
    client_id: config.clientId,
    client_secret: config.clientSecret,
    // ASP.NET Core's handler sends the secret in the token request's body.
    token_endpoint_auth_method: config.clientSecret ? 'client_secret_post' : 'none',
    redirect_uris: config.redirectUris ?? [],
    post_logout_redirect_uris: config.postLogoutRedirectUris ?? [],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }, ...Object.entries(serviceClients).map(([id, { secret }]) => ({
    client_id: id,
    client_secret: secret,
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  }))],
  jwks: { keys: [signingKey] },
  async findAccount(_ctx, sub) {
    if (!Object.hasOwn(accounts, sub)) return undefined;
    return {
      accountId: sub,
      async claims() {
        return { sub, name: sub, email: `${sub}@example.test`, permissions: accounts[sub] };
      },
    };
  },
  claims: { openid: ['sub', 'permissions'], profile: ['name'], email: ['email'] },
  // The scopes' claims in the ID token too, so that it works as the bearer (useIdTokenAsBearer).
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'temporal', audience: 'tempora', accessTokenFormat: 'jwt', accessTokenTTL: 3600, jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  async extraTokenClaims(_ctx, token) {
    if (token.kind === 'AccessToken') {
      return config.accessTokenPermissions === false ? undefined : { permissions: accounts[token.accountId] ?? [] };
    }
    if (token.kind === 'ClientCredentials') return { permissions: serviceClients[token.clientId]?.permissions ?? [] };
    return undefined;
  },
  // A first-party client: no consent page, every requested scope is granted.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(ctx.oidc.params.scope ?? 'openid');
    grant.addOIDCClaims(['sub', 'name', 'email', 'permissions']);
    grant.addResourceScope(resource, 'temporal');
    await grant.save();
    return grant;
  },
});

server.on('request', provider.callback());
process.stdout.write(`listening ${issuer}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
