// Load generator for the inbound benchmark (bench/federation/inbound): many remote actors, on several fake domains
// served by sink.mjs, deliver distinct activities signed as Mastodon signs them (draft-cavage, rsa-sha256, over
// (request-target) host date digest content-type, with a SHA-256 Digest of the body).
//   node inbound.mjs keys FILE COUNT       writes COUNT RSA-2048 key pairs to FILE (the sink serves their public halves)
//   node inbound.mjs run OPTIONS            signs every request first, then sends them all at CONCURRENCY at once and
//                                           prints {"sent","accepted","ms","statuses","error"} as JSON
// The actor NAME on a domain signs with keys[keyIndex(NAME)], as sink.mjs publishes it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';

function keyIndex(name, n) { let h = 0; for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0; return h % n; }

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'keys') {
  const [file, count] = rest;
  const keys = [];
  for (let i = 0; i < Number(count ?? 8); i++) {
    const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    keys.push({ publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }), privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) });
  }
  fs.writeFileSync(file, JSON.stringify(keys));
  process.exit(0);
}
if (mode !== 'run') { console.error('usage: inbound.mjs keys FILE COUNT | run OPTIONS'); process.exit(2); }

const opt = {};
for (let i = 0; i < rest.length; i += 2) opt[rest[i].replace(/^--/, '')] = rest[i + 1];
const target = new URL(opt.target);                    // the Drawbridge base URL
const keys = JSON.parse(fs.readFileSync(opt.keys, 'utf8')).map(k => crypto.createPrivateKey(k.privateKeyPem));
const sinkBase = Number(opt['sink-base']);             // first port of the fake domains
const domains = Number(opt.domains);                   // how many fake domains (ports sinkBase+1 ..)
const actors = Number(opt.actors);                     // remote actors, spread over the domains
const kind = opt.phase;                                // follow: one Follow per actor; mixed: Likes and replies
const count = kind === 'follow' ? actors : Number(opt.activities);
const concurrency = Number(opt.concurrency ?? 64);
const localActor = opt['local-actor'];                 // the account followed, whose inbox gets half the traffic
const posts = (opt.posts ?? '').split(',').filter(Boolean); // local posts liked and replied to
const tag = opt.tag ?? String(Date.now());

const actorAt = i => { const port = sinkBase + 1 + (i % domains); const name = `r${i}`; return { name, origin: `http://127.0.0.1:${port}`, id: `http://127.0.0.1:${port}/users/${name}` }; };
const personalInbox = new URL(`${localActor}/inbox`).pathname;

function activity(n) {
  const a = actorAt(n % actors);
  const id = `${a.id}/activities/${tag}-${n}`;
  if (kind === 'follow') return { a, path: personalInbox, body: { '@context': 'https://www.w3.org/ns/activitystreams', id, type: 'Follow', actor: a.id, object: localActor } };
  const post = posts[n % posts.length];
  const path = n % 2 === 0 ? '/inbox' : personalInbox;
  if (n % 4 < 2) return { a, path, body: { '@context': 'https://www.w3.org/ns/activitystreams', id, type: 'Like', actor: a.id, object: post } };
  const note = `${a.id}/statuses/${tag}-${n}`;
  return { a, path, body: {
    '@context': 'https://www.w3.org/ns/activitystreams', id, type: 'Create', actor: a.id,
    to: ['https://www.w3.org/ns/activitystreams#Public'], cc: [`${a.id}/followers`, localActor],
    object: { id: note, type: 'Note', attributedTo: a.id, inReplyTo: post, content: `<p>Reply ${n} from ${a.name}</p>`,
      published: new Date().toISOString(), to: ['https://www.w3.org/ns/activitystreams#Public'], cc: [`${a.id}/followers`, localActor],
      tag: [{ type: 'Mention', href: localActor }] } } };
}

function signed({ a, path, body }) {
  const bytes = Buffer.from(JSON.stringify(body));
  const host = target.host;
  const date = new Date().toUTCString();
  const digest = 'SHA-256=' + crypto.createHash('sha256').update(bytes).digest('base64');
  const type = 'application/activity+json';
  const signingString = `(request-target): post ${path}\nhost: ${host}\ndate: ${date}\ndigest: ${digest}\ncontent-type: ${type}`;
  const signature = crypto.sign('sha256', Buffer.from(signingString), keys[keyIndex(a.name, keys.length)]).toString('base64');
  return { path, bytes, headers: { host, date, digest, 'content-type': type, 'content-length': bytes.length,
    signature: `keyId="${a.id}#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest content-type",signature="${signature}"` } };
}

const requests = Array.from({ length: count }, (_, n) => signed(activity(n)));
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const statuses = {};
let accepted = 0, error = null, next = 0;
function send(r) {
  return new Promise(resolve => {
    const req = http.request({ host: target.hostname, port: target.port, method: 'POST', path: r.path, headers: r.headers, agent }, res => {
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      if (res.statusCode === 202) accepted++;
      let text = '';
      res.on('data', d => { if (res.statusCode !== 202 && text.length < 500) text += d; });
      res.on('end', () => { if (res.statusCode !== 202 && !error) error = `${res.statusCode} ${text}`; resolve(); });
    });
    req.on('error', e => { statuses.error = (statuses.error ?? 0) + 1; error ??= e.message; resolve(); });
    req.end(r.bytes);
  });
}
const started = performance.now();
await Promise.all(Array.from({ length: concurrency }, async () => { while (next < requests.length) await send(requests[next++]); }));
const ms = performance.now() - started;
agent.destroy();
console.log(JSON.stringify({ sent: count, accepted, ms: Math.round(ms), statuses, error }));
