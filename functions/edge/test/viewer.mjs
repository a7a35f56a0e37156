// A small stand-in for a CloudFront viewer-request edge in front of an
// origin, for tests: every HTTP request is turned into the
// cloudfront-js-2.0 event, functions/edge/partners.js (loaded unmodified,
// loader.mjs) runs on it, and either the function's response is answered or
// the request as the function returned it (its uri, querystring and
// headers) is sent to the origin, whose answer is relayed.
//
//   node viewer.mjs --origin http://127.0.0.1:PORT --store store.json
//
// store.json maps key hashes to values, as the KeyValueStore holds them.
// It listens on 127.0.0.1, on a free port, and prints
// "listening on http://127.0.0.1:PORT" once ready. internal/partners/edgetest
// starts it.
import { register } from 'node:module';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

register('./loader.mjs', import.meta.url);
const { setStore } = await import('./cloudfront.mjs');
const { buildEvent, serializeQuery } = await import('./event.mjs');
const { handler } = await import(fileURLToPath(new URL('../partners.js', import.meta.url)));

function arg(name) {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const origin = new URL(arg('origin') || '');
setStore(JSON.parse(readFileSync(arg('store'), 'utf8')));

const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host', 'content-length']);

function viewerHeaders(req) {
  const h = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase();
    if (HOP.has(name) && name !== 'host') continue;
    (h[name] = h[name] || []).push(req.rawHeaders[i + 1]);
  }
  return h;
}

function eventHeadersToNode(hs) {
  const out = {};
  for (const name of Object.keys(hs || {})) {
    const f = hs[name];
    out[name] = f.multiValue ? f.multiValue.map((v) => v.value) : f.value;
  }
  return out;
}

const server = http.createServer(async (req, res) => {
  try {
    const q = req.url.indexOf('?');
    const uri = q < 0 ? req.url : req.url.slice(0, q);
    const raw = q < 0 ? '' : req.url.slice(q + 1);
    const event = buildEvent({ method: req.method, uri, headers: viewerHeaders(req), querystring: raw });
    const result = await handler(event);
    if (result && typeof result.statusCode === 'number') {
      res.writeHead(result.statusCode, result.statusDescription || '', eventHeadersToNode(result.headers));
      const body = result.body === undefined ? '' : typeof result.body === 'string' ? result.body : Buffer.from(result.body.data, result.body.encoding === 'base64' ? 'base64' : 'utf8');
      res.end(body);
      return;
    }
    const qs = serializeQuery(result.querystring);
    const target = new URL(origin.href);
    const path = result.uri + (qs ? '?' + qs : '');
    const headers = eventHeadersToNode(result.headers);
    delete headers.host; // the origin's, as CloudFront sends to an S3 origin
    const upstream = http.request({ host: target.hostname, port: target.port, method: result.method, path, headers }, (ores) => {
      const hs = {};
      for (const [k, v] of Object.entries(ores.headers)) if (!HOP.has(k)) hs[k] = v;
      res.writeHead(ores.statusCode, hs);
      ores.pipe(res);
    });
    upstream.on('error', (err) => {
      res.writeHead(502);
      res.end('origin: ' + err.message);
    });
    req.pipe(upstream);
  } catch (err) {
    // CloudFront answers 503 when a function fails.
    res.writeHead(503);
    res.end('function error: ' + err.message);
  }
});

server.listen(0, '127.0.0.1', () => {
  console.log('listening on http://127.0.0.1:' + server.address().port);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
