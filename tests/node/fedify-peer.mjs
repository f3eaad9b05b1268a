// A fediverse server built on Fedify, an ActivityPub framework independent of Drawbridge, for the interoperability
// tests (tests/Drawbridge.Tests/Federation/FedifyPeerTests.cs). One actor, `peer` (a Person with an RSA key pair),
// WebFinger, a personal and a shared inbox, all served by Fedify itself; incoming activities are accepted only when
// Fedify's own verification passes (skipSignatureVerification stays false).
//
// Settings: PEER_HOST, PEER_PORT. Once listening it prints {"step":"listening","url":…} on stdout.
// Control (JSON, on the same port, never part of ActivityPub):
//   POST /control/follow {actor}                   the peer follows that actor
//   POST /control/reply  {actor, inReplyTo, content} a public Note in reply, sent to that actor
//   POST /control/like   {actor, object}           a Like of object, sent to that actor
//   GET  /control/received                         what the inbox listeners were given, in arrival order
//   GET  /control/deliveries                       every POST to an inbox: path, status, signature headers seen
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { createFederation, generateCryptoKeyPair, MemoryKvStore } from '@fedify/fedify';
import { Accept, Announce, Article, Create, Delete, Endpoints, Follow, Like, Note, Person, PUBLIC_COLLECTION, Reject, Undo, Update }
  from '@fedify/fedify/vocab';

const host = process.env.PEER_HOST ?? '127.0.0.1';
const port = Number(process.env.PEER_PORT ?? '0');
const origin = `http://${host}:${port}`;
const ME = 'peer';

if (process.env.FEDIFY_DEBUG) {
  const { configure, getStreamSink } = await import('@logtape/logtape');
  const { Writable } = await import('node:stream');
  await configure({
    sinks: { err: getStreamSink(Writable.toWeb(process.stderr)) },
    loggers: [{ category: 'fedify', sinks: ['err'], lowestLevel: 'debug' }, { category: ['logtape', 'meta'], sinks: ['err'], lowestLevel: 'warning' }],
  });
}

const federation = createFederation({
  kv: new MemoryKvStore(),
  origin,
  // The Drawbridge under test listens on 127.0.0.x over plain http.
  allowPrivateAddress: true,
  skipSignatureVerification: false,
});

const keys = [await generateCryptoKeyPair('RSASSA-PKCS1-v1_5')];

federation
  .setActorDispatcher('/users/{identifier}', async (ctx, identifier) => {
    if (identifier !== ME) {
      return null;
    }
    const pairs = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: 'Fedify Peer',
      summary: 'A server built on Fedify',
      url: new URL(`/@${identifier}`, ctx.origin),
      inbox: ctx.getInboxUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      followers: ctx.getFollowersUri(identifier),
      publicKey: pairs[0].cryptographicKey,
      assertionMethods: pairs.map((p) => p.multikey),
    });
  })
  .setKeyPairsDispatcher(async (_ctx, identifier) => (identifier === ME ? keys : []));

federation.setFollowersDispatcher('/users/{identifier}/followers', async () => ({ items: [] }));

const received = [];
const deliveries = [];

const text = (value) => (value == null ? null : String(value));
const describe = async (ctx, activity) => {
  let object = null;
  try {
    // Fedify fetches an embedded object again when it is on another server than the activity; an Accept embeds the
    // peer's own Follow, which the peer knows, so its copy is taken as it came (the objectId is what counts).
    const own = activity.objectId?.origin === origin;
    const o = await activity.getObject({ documentLoader: ctx.documentLoader, crossOrigin: own ? 'trust' : 'ignore' });
    if (o != null) {
      object = {
        type: o.constructor.name,
        id: text(o.id?.href),
        name: text(o.name),
        summary: text(o.summary),
        content: text(o.content),
        url: text(o.url?.href ?? o.url),
        inReplyTo: text(o.replyTargetId?.href),
        attributedTo: text(o.attributionId?.href),
      };
      if (o instanceof Follow || o instanceof Like) {
        object.actor = text(o.actorId?.href);
        object.object = text(o.objectId?.href);
      }
    }
  } catch (e) {
    object = { error: String(e) };
  }
  return { type: activity.constructor.name, id: text(activity.id?.href), actor: text(activity.actorId?.href), objectId: text(activity.objectId?.href), object };
};

const record = async (ctx, activity) => {
  received.push(await describe(ctx, activity));
};

federation
  .setInboxListeners('/users/{identifier}/inbox', '/inbox')
  .on(Follow, record)
  .on(Accept, record)
  .on(Reject, record)
  .on(Create, record)
  .on(Update, record)
  .on(Delete, record)
  .on(Like, record)
  .on(Announce, record)
  .on(Undo, record)
  .onError((_ctx, error) => {
    received.push({ type: 'error', error: String(error) });
  });

const context = () => federation.createContext(new URL(origin), undefined);
const sender = { identifier: ME };
const newId = (what) => new URL(`/users/${ME}/${what}/${randomUUID()}`, origin);

const lookupActor = async (ctx, uri) => {
  const actor = await ctx.lookupObject(uri);
  if (actor == null || actor.inboxId == null) {
    throw new Error(`${uri} is not an actor with an inbox`);
  }
  return actor;
};

const control = {
  'POST /control/follow': async ({ actor }) => {
    const ctx = context();
    const target = await lookupActor(ctx, actor);
    const follow = new Follow({ id: newId('follows'), actor: ctx.getActorUri(ME), object: target.id });
    await ctx.sendActivity(sender, target, follow);
    return { id: follow.id.href };
  },
  'POST /control/reply': async ({ actor, inReplyTo, content }) => {
    const ctx = context();
    const target = await lookupActor(ctx, actor);
    const noteId = newId('notes');
    const note = new Note({
      id: noteId,
      attribution: ctx.getActorUri(ME),
      content,
      replyTarget: new URL(inReplyTo),
      url: noteId,
      to: PUBLIC_COLLECTION,
      ccs: [ctx.getFollowersUri(ME), target.id],
    });
    const create = new Create({ id: new URL(`${noteId.href}#create`), actor: ctx.getActorUri(ME), object: note, to: PUBLIC_COLLECTION, ccs: [ctx.getFollowersUri(ME), target.id] });
    await ctx.sendActivity(sender, target, create);
    return { id: noteId.href };
  },
  'POST /control/like': async ({ actor, object }) => {
    const ctx = context();
    const target = await lookupActor(ctx, actor);
    const like = new Like({ id: newId('likes'), actor: ctx.getActorUri(ME), object: new URL(object) });
    await ctx.sendActivity(sender, target, like);
    return { id: like.id.href };
  },
  'GET /control/received': async () => received,
  'GET /control/deliveries': async () => deliveries,
};

const server = createServer(async (req, res) => {
  try {
    const chunks = [];
    for await (const chunk of req) {
      chunks.push(chunk);
    }
    const body = Buffer.concat(chunks);
    const url = new URL(req.url, origin);
    const handler = control[`${req.method} ${url.pathname}`];
    if (handler) {
      const result = await handler(body.length ? JSON.parse(body.toString('utf8')) : {});
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(result));
      return;
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      for (const v of Array.isArray(value) ? value : [value]) {
        if (v != null) {
          headers.append(name, v);
        }
      }
    }
    const request = new Request(url, { method: req.method, headers, body: req.method === 'GET' || req.method === 'HEAD' ? undefined : body });
    const response = await federation.fetch(request, {
      contextData: undefined,
      onNotFound: () => new Response('Not found', { status: 404 }),
      onNotAcceptable: () => new Response('Not acceptable', { status: 406 }),
    });
    if (req.method === 'POST') {
      let json = {};
      try {
        json = JSON.parse(body.toString('utf8'));
      } catch {
        // recorded as it came
      }
      deliveries.push({
        path: url.pathname,
        status: response.status,
        type: json.type ?? null,
        id: json.id ?? null,
        signature: req.headers['signature'] ?? null,
        signatureInput: req.headers['signature-input'] ?? null,
        // What else could vouch for the activity: a Linked Data signature or an integrity proof in the body.
        bodySigned: 'signature' in json || 'proof' in json,
      });
    }
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  } catch (e) {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: String(e?.stack ?? e) }));
  }
});

server.listen(port, host, () => {
  process.stdout.write(`${JSON.stringify({ step: 'listening', url: origin })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
