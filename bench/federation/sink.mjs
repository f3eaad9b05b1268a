// A loopback stand-in for many fediverse servers: listens on 127.0.0.1 at ports BASE..BASE+COUNT-1 (each port is a
// distinct domain to the sender, since a domain includes its port), answers every POST with 202 and counts them.
// GET /stats on BASE gives {"received": n, "first": ms, "last": ms, "signed": n}.
// With a third argument, a keys file written by `inbound.mjs keys` (public keys in PEM), each port also serves actors:
// GET /users/NAME answers a Person whose key is keys[hash(NAME) % keys.length], so signatures made by inbound.mjs
// with the matching private key verify.
import http from 'node:http';
import fs from 'node:fs';

const base = Number(process.argv[2] ?? 5600);
const count = Number(process.argv[3] ?? 1);
const keys = process.argv[4] ? JSON.parse(fs.readFileSync(process.argv[4], 'utf8')).map(k => k.publicKeyPem) : [];
function keyIndex(name, n) { let h = 0; for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0; return h % n; }
let actorsServed = 0;

function actor(req, res) {
  const name = decodeURIComponent(req.url.slice('/users/'.length));
  const origin = `http://${req.headers.host}`;
  const id = `${origin}/users/${name}`;
  actorsServed++;
  res.writeHead(200, { 'content-type': 'application/activity+json' });
  res.end(JSON.stringify({
    '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'],
    id, type: 'Person', preferredUsername: name, name, inbox: `${id}/inbox`, outbox: `${id}/outbox`,
    followers: `${id}/followers`, endpoints: { sharedInbox: `${origin}/inbox` },
    publicKey: { id: `${id}#main-key`, owner: id, publicKeyPem: keys[keyIndex(name, keys.length)] },
  }));
}
let received = 0, signed = 0, first = 0, last = 0;

function handle(req, res) {
  if (req.method === 'GET' && req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ received, signed, first, last, actorsServed }));
    return;
  }
  if (req.method === 'POST' && req.url === '/reset') {
    received = signed = first = last = actorsServed = 0;
    res.writeHead(204); res.end();
    return;
  }
  if (req.method === 'GET' && keys.length > 0 && /^\/users\/[A-Za-z0-9_]+$/.test(req.url)) {
    actor(req, res);
    return;
  }
  req.on('data', () => {});
  req.on('end', () => {
    const now = Date.now();
    if (received === 0) first = now;
    received++; last = now;
    if (req.headers['signature'] || req.headers['signature-input']) signed++;
    res.writeHead(202); res.end();
  });
}

for (let i = 0; i < count; i++) {
  http.createServer({ keepAlive: true }, handle).listen(base + i, '127.0.0.1');
}
console.log(`sink listening on 127.0.0.1:${base}-${base + count - 1}`);
