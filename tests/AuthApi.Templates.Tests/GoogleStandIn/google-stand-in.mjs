// Google's servers for a scaffolded app running as a real process: the npm package oauth2-mock-server
// on loopback, answering like Google (issuer accounts.google.com, userinfo with email_verified).
// Usage: node google-stand-in.mjs <clientId> <sub> <email>
// Prints "READY <base url>" and "IDTOKEN <a Google-like ID token for that account>", then serves until killed.
import { OAuth2Server } from 'oauth2-mock-server';

const [clientId, subject, email] = process.argv.slice(2);
const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');
await server.start(0, '127.0.0.1');

const account = { sub: subject, email, email_verified: true, name: 'Ada Lovelace' };
const likeGoogle = (header, payload) => {
  payload.iss = 'https://accounts.google.com';
  payload.aud = clientId;
  Object.assign(payload, account);
};
server.service.on('beforeTokenSigning', (token) => likeGoogle(token.header, token.payload));
server.service.on('beforeUserinfo', (response) => { response.body = account; });

const idToken = await server.issuer.buildToken({ scopesOrTransform: likeGoogle });
console.log(`READY ${server.issuer.url}`);
console.log(`IDTOKEN ${idToken}`);
process.on('SIGTERM', async () => { await server.stop(); process.exit(0); });
