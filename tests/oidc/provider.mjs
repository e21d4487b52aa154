// A real OpenID provider for warroom's sign-in tests: the certified
// `oidc-provider` (pinned in package.json), configured from a JSON file the
// test writes (its port, its clients, its accounts and their groups).
//
//   node provider.mjs CONFIG.json
//
// Its own login page (devInteractions: any password) signs in the accounts
// named in the file. PKCE is required of every client. A few routes under
// /test/ let a test change what the provider says between sign-ins:
//   POST /test/groups    {"account": ID, "groups": [...]}  the account's groups
//   POST /test/clock     {"offset": SECONDS}  the provider's clock, shifted
//   POST /test/substitute {"id_token": JWT}   the next token answer carries
//                                             this ID token instead of its own
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = `http://127.0.0.1:${config.port}`;
const accounts = config.accounts; // id -> { name, email, groups }

let offset = 0;
const realNow = Date.now.bind(Date);
Date.now = () => realNow() + offset * 1000;
let substitute = null;

const provider = new Provider(issuer, {
  clients: config.clients,
  pkce: { required: () => true },
  // The ID token carries the person's claims, as Entra ID's and Google's do.
  conformIdTokenClaims: false,
  // Groups come with "profile", as Entra ID sends its groups claim with no
  // scope of its own.
  scopes: ['openid', 'profile', 'email'],
  claims: {
    openid: ['sub'],
    profile: ['name', 'groups'],
    email: ['email'],
  },
  cookies: { keys: ['warroom-tests-only'] },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  // Consent is the council's business, not the test's: granted at once.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile email');
    await grant.save();
    return grant;
  },
  async findAccount(ctx, id) {
    if (!accounts[id]) return undefined;
    return {
      accountId: id,
      async claims() {
        const { name, email, groups } = accounts[id];
        return { sub: id, name, email, groups };
      },
    };
  },
});

async function body(ctx) {
  let text = '';
  for await (const chunk of ctx.req) text += chunk;
  return JSON.parse(text || '{}');
}

provider.use(async (ctx, next) => {
  if (ctx.method === 'POST' && ctx.path === '/test/groups') {
    const { account, groups } = await body(ctx);
    accounts[account].groups = groups;
    ctx.body = { account, groups };
    return;
  }
  if (ctx.method === 'POST' && ctx.path === '/test/clock') {
    offset = (await body(ctx)).offset;
    ctx.body = { offset };
    return;
  }
  if (ctx.method === 'POST' && ctx.path === '/test/substitute') {
    substitute = (await body(ctx)).id_token;
    ctx.body = { substitute: true };
    return;
  }
  await next();
  if (ctx.path === '/token' && substitute && ctx.body?.id_token) {
    ctx.body = { ...ctx.body, id_token: substitute };
    substitute = null;
  }
});

provider.listen(config.port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
