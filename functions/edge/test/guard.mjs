// Runs guard.js, unmodified (see loader.mjs), on the URIs given as
// arguments and prints, one JSON line each, whether it let them through.
import { register } from 'node:module';

register(new URL('./loader.mjs', import.meta.url));
const { handler } = await import(new URL('../guard.js', import.meta.url).href);
for (const uri of process.argv.slice(2)) {
  const out = handler({ version: '1.0', context: { eventType: 'viewer-request' }, viewer: { ip: '127.0.0.1' },
    request: { method: 'GET', uri, querystring: {}, headers: {}, cookies: {} } });
  console.log(JSON.stringify({ uri, allow: out.statusCode === undefined }));
}
