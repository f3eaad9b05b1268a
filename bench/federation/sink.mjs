// A loopback stand-in for many fediverse servers: listens on 127.0.0.1 at ports BASE..BASE+COUNT-1 (each port is a
// distinct domain to the sender, since a domain includes its port), answers every POST with 202 and counts them.
// GET /stats on BASE gives {"received": n, "first": ms, "last": ms, "signed": n}.
import http from 'node:http';

const base = Number(process.argv[2] ?? 5600);
const count = Number(process.argv[3] ?? 1);
let received = 0, signed = 0, first = 0, last = 0;

function handle(req, res) {
  if (req.method === 'GET' && req.url === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ received, signed, first, last }));
    return;
  }
  if (req.method === 'POST' && req.url === '/reset') {
    received = signed = first = last = 0;
    res.writeHead(204); res.end();
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
