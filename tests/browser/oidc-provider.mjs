// A real OpenID Connect provider for the browser suite (the npm `oidc-provider`, certified by the
// OpenID Foundation), standing for FranceConnect: one confidential client (Guichet's demo town),
// authorization-code flow with PKCE required, RS256 ID tokens signed with a key made at start.
//
//   OIDC_PORT=PORT OIDC_REDIRECT_URI=http://127.0.0.1:8080/demoville/account/openid/callback \
//     node oidc-provider.mjs
//
// Guichet's sign-out ends the session here too (RP-initiated logout): the provider asks, then
// sends the browser back to Guichet's sign-in page.
// Prints "oidc-provider: ready on http://127.0.0.1:PORT" once listening. Its sign-in page asks for
// a login only (any login is an account: subject `fc-LOGIN`, e-mail LOGIN@fournisseur.test) and
// consents on its own. For the tests of refused tokens, `POST /_test/skew?seconds=-7200` makes the
// token endpoint issue ID tokens from two hours ago (expired), `POST /_test/skew?seconds=0` undoes it.
import Provider from 'oidc-provider';
import http from 'node:http';
import crypto from 'node:crypto';

const port = Number(process.env.OIDC_PORT || 0);
const redirect = process.env.OIDC_REDIRECT_URI;
if (!port || !redirect) {
  console.error('oidc-provider.mjs: OIDC_PORT and OIDC_REDIRECT_URI are needed');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
export const CLIENT_ID = 'guichet-demoville';
export const CLIENT_SECRET = 'un-secret-de-test-assez-long-pour-hs256-0123456789';

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key-1', alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.OIDC_CLIENT_ID || CLIENT_ID,
    client_secret: process.env.OIDC_CLIENT_SECRET || CLIENT_SECRET,
    redirect_uris: [redirect],
    // Guichet's sign-in page, where the logout at the provider comes back to.
    post_logout_redirect_uris: [redirect.replace(/openid\/callback$/, 'login?bye=1')],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [jwk] },
  pkce: { required: () => true },
  cookies: { keys: ['guichet-browser-suite-cookie-key'] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['given_name', 'family_name'],
  },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      // The provider's own "sign out?" page, in French, a button to press.
      logoutSource: async (ctx, form) => {
        ctx.body = page('Déconnexion du fournisseur d\'identité',
          `${form}<p><button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Me déconnecter</button></p>`);
      },
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  findAccount: async (ctx, sub) => ({
    accountId: sub,
    claims: async () => {
      const login = sub.replace(/^fc-/, '');
      return {
        sub,
        email: `${login}@fournisseur.test`,
        email_verified: true,
        given_name: 'Camille',
        family_name: login.charAt(0).toUpperCase() + login.slice(1),
      };
    },
  }),
});
provider.proxy = false;

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>${escape(title)}</title>`
    + '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
    + `<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

// Login, then consent on the citizen's behalf (a test provider: the grant is what was asked).
async function finish(req, res, accountId) {
  const details = await provider.interactionDetails(req, res);
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  const grantId = await grant.save();
  const result = { consent: { grantId } };
  if (details.prompt.name === 'login') result.login = { accountId };
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

async function interaction(req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('unknown interaction');
  if (req.method === 'GET' && details.prompt.name === 'login') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page('Fournisseur d\'identité de test', `
<form method="post" action="/interaction/${escape(uid)}">
  <p><label for="login">Identifiant</label>
  <input id="login" name="login" autocomplete="username" required></p>
  <p><button type="submit">Se connecter</button></p>
</form>`));
    return;
  }
  if (req.method === 'GET') return finish(req, res, details.session && details.session.accountId);
  const form = await readForm(req);
  const login = (form.get('login') || '').trim().toLowerCase();
  if (!/^[a-z0-9-]{1,40}$/.test(login)) {
    res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('identifiant invalide');
    return;
  }
  return finish(req, res, `fc-${login}`);
}

const realNow = Date.now;
let skew = 0;
const callback = provider.callback();

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, issuer);
  try {
    const m = url.pathname.match(/^\/interaction\/([A-Za-z0-9_-]+)$/);
    if (m) return await interaction(req, res, m[1]);
    if (url.pathname === '/_test/skew' && req.method === 'POST') {
      skew = Number(url.searchParams.get('seconds') || 0) * 1000;
      res.writeHead(204);
      res.end();
      return;
    }
    if (url.pathname === '/token' && skew) {
      // Tokens issued as if it were `skew` earlier: an ID token already expired.
      Date.now = () => realNow() + skew;
      res.on('finish', () => { Date.now = realNow; });
    }
    return callback(req, res);
  } catch (e) {
    Date.now = realNow;
    res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(String(e && e.message));
  }
});
server.listen(port, '127.0.0.1', () => console.log(`oidc-provider: ready on ${issuer}`));
