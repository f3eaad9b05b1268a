// Opens N WebSocket subscribers to public:local, then posts a few statuses and measures, for every subscriber and
// post, the time from just before the POST to the frame's arrival. Prints one JSON line with the figures.
// usage: node load.mjs URL TOKEN CONNECTIONS POSTS
const [url, token, connections = '2000', posts = '10'] = process.argv.slice(2);
const n = Number(connections);
const streamUrl = url.replace(/^http/, 'ws') + '/api/v1/streaming?stream=public:local';
const sockets = [];
const arrivals = new Map(); // status id -> list of arrival times
let opened = 0;
let failed = 0;

const open = (i) => new Promise((resolve) => {
  const ws = new WebSocket(streamUrl);
  ws.onopen = () => { opened++; resolve(); };
  ws.onerror = () => { failed++; resolve(); };
  ws.onmessage = (m) => {
    const at = performance.now();
    const frame = JSON.parse(m.data);
    if (frame.event === 'update') {
      const id = JSON.parse(frame.payload).id;
      (arrivals.get(id) ?? arrivals.set(id, []).get(id)).push(at);
    }
  };
  sockets[i] = ws;
});

// Open in batches, as a crowd arriving, not one SYN flood.
for (let i = 0; i < n; i += 100) {
  await Promise.all(Array.from({ length: Math.min(100, n - i) }, (_, k) => open(i + k)));
}
process.stdout.write(JSON.stringify({ phase: 'connected', opened, failed }) + '\n');
// The caller reads the server's memory now, then tells us to go on.
await new Promise((resolve) => process.stdin.once('data', resolve));

const latencies = [];
const afterResponse = [];
const postTimes = [];
let lost = 0;
for (let p = 0; p < Number(posts); p++) {
  const started = performance.now();
  const response = await fetch(url + '/api/v1/statuses', {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ status: `Streaming bench post ${p}` }),
  });
  const { id } = await response.json();
  const answered = performance.now();
  postTimes.push(answered - started);
  const deadline = performance.now() + 10_000;
  while ((arrivals.get(id)?.length ?? 0) < opened && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const got = arrivals.get(id) ?? [];
  lost += opened - got.length;
  for (const at of got) {
    latencies.push(at - started);
    afterResponse.push(Math.max(0, at - answered));
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
}
latencies.sort((a, b) => a - b);
afterResponse.sort((a, b) => a - b);
postTimes.sort((a, b) => a - b);
const at = (list, q) => list.length ? list[Math.min(list.length - 1, Math.floor(q * list.length))] : NaN;
const pct = (q) => at(latencies, q);
process.stdout.write(JSON.stringify({
  phase: 'done', opened, deliveries: latencies.length, lost,
  p50: Math.round(pct(0.5)), p95: Math.round(pct(0.95)), p99: Math.round(pct(0.99)), max: Math.round(latencies.at(-1) ?? NaN),
  // The same split in two: the POST's own answer, and the wait after it for the frame.
  post_p50: Math.round(at(postTimes, 0.5)), post_max: Math.round(postTimes.at(-1) ?? NaN),
  after_answer_p95: Math.round(at(afterResponse, 0.95)),
}) + '\n');
for (const ws of sockets) {
  ws?.close();
}
process.exit(0);
