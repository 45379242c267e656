// A webhook receiver as an operator would write one: every delivery is
// verified with the npm `standardwebhooks` package (not with this project's
// code), duplicates of an id are refused, and what happened is kept for the
// test to read. Used by tests/tests/webhooks.rs through the real binaries.
//
//   node tests/webhook-receiver.mjs PORT
//
//   POST /hooks/<name>   a delivery: 204 accepted, 400 not verified
//                        (forged, or outside the timestamp tolerance), 409 an
//                        id already accepted (a replay), 503 while <name> is down
//   PUT  /control/<name> {"secret": "whsec_…", "down": false}
//   GET  /log            {"<name>": {"accepted": [...], "refused": [...], "down503": n}}
import { createServer } from 'node:http';
import { createRequire } from 'node:module';

// Installed by scripts/setup.sh into .local/node (infra/local/package.json).
const require = createRequire(new URL('../.local/node/', import.meta.url));
const { Webhook } = require('standardwebhooks');

const port = Number(process.argv[2]);
const hooks = new Map(); // name -> {secret, down, accepted: [], refused: [], down503: 0, seen: Set}

function hook(name) {
  if (!hooks.has(name)) hooks.set(name, { secret: null, down: false, accepted: [], refused: [], down503: 0, seen: new Set() });
  return hooks.get(name);
}

function body(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

createServer(async (req, res) => {
  const text = await body(req);
  const [, kind, name] = req.url.split('/');
  const answer = (status, json) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(json === undefined ? '' : JSON.stringify(json));
  };
  if (req.method === 'GET' && kind === 'log') {
    const log = {};
    for (const [n, h] of hooks) log[n] = { accepted: h.accepted, refused: h.refused, down503: h.down503 };
    return answer(200, log);
  }
  if (req.method === 'PUT' && kind === 'control' && name) {
    Object.assign(hook(name), JSON.parse(text));
    return answer(204);
  }
  if (req.method === 'POST' && kind === 'hooks' && name) {
    const h = hook(name);
    if (h.down) {
      h.down503 += 1;
      return answer(503, { error: 'down for the test' });
    }
    let payload;
    try {
      payload = new Webhook(h.secret).verify(text, req.headers);
    } catch (e) {
      h.refused.push({ id: req.headers['webhook-id'] ?? null, reason: e.message });
      return answer(400, { error: e.message });
    }
    const id = req.headers['webhook-id'];
    if (h.seen.has(id)) {
      h.refused.push({ id, reason: 'replayed: this id was accepted before' });
      return answer(409, { error: 'already processed' });
    }
    h.seen.add(id);
    h.accepted.push({
      id,
      type: payload.type,
      dataId: payload.data?.id,
      signatures: req.headers['webhook-signature'].split(' ').length,
      headers: { 'webhook-id': id, 'webhook-timestamp': req.headers['webhook-timestamp'], 'webhook-signature': req.headers['webhook-signature'] },
      body: text,
    });
    return answer(204);
  }
  answer(404, { error: 'not found' });
}).listen(port, '127.0.0.1', () => console.log(`webhook receiver on ${port}`));
