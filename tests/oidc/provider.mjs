// A real OpenID provider for the e-ID tests: panva/oidc-provider (OpenID Certified), run with the machine's
// Node.js. Test identities carry the Swedish OIDC profile's claims (https://id.oidc.se/claim/personalIdentityNumber,
// given_name, family_name). Log in through the provider's own development login form with one of the
// account ids below (any password); consent is granted silently for the one registered client.
//
//   node provider.mjs --port 0 --issuer http://127.0.0.1:PORT --redirect-uri URL --client-id ID --client-secret S
//                     [--clock-offset-s N]   (N seconds added to this provider's clock: a provider whose clock is wrong)
//
// Prints one line `{"ready": true, "port": PORT, "issuer": ISSUER}` on stdout when it listens.
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    issuer: { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    'client-id': { type: 'string', default: 'klagomalsguiden' },
    'client-secret': { type: 'string', default: 'test-client-secret-0123456789abcdef' },
    'clock-offset-s': { type: 'string', default: '0' },
  },
});

// a provider whose clock is off: every date the provider makes (iat, exp, …) moves with it
const offsetMs = Number(args['clock-offset-s']) * 1000;
if (offsetMs) {
  const RealDate = Date;
  const realNow = RealDate.now.bind(RealDate);
  class ShiftedDate extends RealDate {
    constructor(...a) { if (a.length === 0) super(realNow() + offsetMs); else super(...a); }
    static now() { return realNow() + offsetMs; }
  }
  globalThis.Date = ShiftedDate;
}

const { default: Provider } = await import('oidc-provider');
const http = await import('node:http');

const SCOPE_PNR = 'https://id.oidc.se/scope/naturalPersonNumber';
const CLAIM_PNR = 'https://id.oidc.se/claim/personalIdentityNumber';

// test identities (Skatteverket's test numbers)
const ACCOUNTS = {
  'anna': { [CLAIM_PNR]: '198112289874', given_name: 'Anna', family_name: 'Andersson', birthdate: '1981-12-28' },
  'karl': { [CLAIM_PNR]: '191212121212', given_name: 'Karl', family_name: 'Andersson', birthdate: '1912-12-12' },
  'barn': { [CLAIM_PNR]: '201510102385', given_name: 'Elsa', family_name: 'Andersson', birthdate: '2015-10-10' },
  'utan-pnr': { given_name: 'Utan', family_name: 'Personnummer' },
};

const clientId = args['client-id'];
const server = http.createServer();
await new Promise((resolve) => server.listen(Number(args.port), '127.0.0.1', resolve));
const port = server.address().port;
const issuer = args.issuer || `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: args['client-secret'],
    redirect_uris: args['redirect-uri'] || [],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  scopes: ['openid', SCOPE_PNR],
  claims: {
    openid: ['sub'],
    [SCOPE_PNR]: [CLAIM_PNR, 'given_name', 'family_name', 'name', 'birthdate'],
  },
  // the identity claims in the ID token itself (the Swedish profile's RP reads them there)
  conformIdTokenClaims: false,
  pkce: { required: () => true, methods: ['S256'] },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['test-cookie-key-not-secret'] },
  // long interaction/session lives: with --clock-offset-s the provider's cookies must still be valid in real time
  ttl: { IdToken: 300, AccessToken: 300, AuthorizationCode: 120, Interaction: 86400, Session: 86400, Grant: 86400 },
  async findAccount(ctx, id) {
    const identity = ACCOUNTS[id];
    if (!identity) return undefined;
    return {
      accountId: id,
      async claims() {
        const name = `${identity.given_name} ${identity.family_name}`;
        return { sub: id, name, ...identity };
      },
    };
  },
  // first-party client: consent is given silently
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(`openid ${SCOPE_PNR}`);
    grant.addOIDCClaims([CLAIM_PNR, 'given_name', 'family_name', 'name', 'birthdate']);
    await grant.save();
    return grant;
  },
});
provider.proxy = false;
server.on('request', provider.callback());

process.stdout.write(JSON.stringify({ ready: true, port, issuer }) + '\n');
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => server.close(() => process.exit(0)));
