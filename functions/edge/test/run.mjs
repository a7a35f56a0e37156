// Runs functions/edge/partners.js, loaded unmodified (loader.mjs), on the
// table of cases (default ../testdata/cases.json): for each case it fills
// the stand-in KeyValueStore, builds the cloudfront-js-2.0 event, calls the
// handler and compares what it returned with the case's expectation.
//
//   node functions/edge/test/run.mjs [cases.json] [--json]
//
// With --json it prints one JSON object per case (what the function did),
// for internal/partners/edge_test.go to compare with the Go rule. Exit
// status 1 when any case differs from its expectation.
import { register } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

register('./loader.mjs', import.meta.url);
const { setStore } = await import('./cloudfront.mjs');
const { buildEvent, outcome } = await import('./event.mjs');
const { handler } = await import(fileURLToPath(new URL('../partners.js', import.meta.url)));

const args = process.argv.slice(2);
const asJSON = args.includes('--json');
const file = args.find((a) => !a.startsWith('--')) || fileURLToPath(new URL('../testdata/cases.json', import.meta.url));
const table = JSON.parse(readFileSync(file, 'utf8'));

let failed = 0;
for (const c of table.cases) {
  setStore(c.store !== undefined ? c.store : table.store);
  const got = outcome(await handler(buildEvent(c.request)));
  const problems = [];
  if (got.allow) {
    if ('authorization' in got.headers) problems.push('the Authorization header reaches the origin');
    if (/(^|&)key=/.test(got.querystring)) problems.push('the key reaches the origin in the query');
  } else if (got.body !== null) {
    problems.push('a refusal has a body');
  }
  const want = c.expect;
  if (want.allow !== got.allow) problems.push('allow ' + got.allow + ', want ' + want.allow);
  if (want.allow && got.allow) {
    if (got.uri !== (want.uri || c.request.uri)) problems.push('forwards uri ' + got.uri + ', want ' + (want.uri || c.request.uri));
    if (got.querystring !== (want.querystring || '')) problems.push('forwards query "' + got.querystring + '", want "' + (want.querystring || '') + '"');
  }
  if (!want.allow && !got.allow && got.status !== 403) problems.push('status ' + got.status + ', want 403');
  if (problems.length > 0) {
    failed++;
    console.error('FAIL ' + c.name + ': ' + problems.join('; '));
  }
  if (asJSON) {
    console.log(JSON.stringify({ name: c.name, allow: got.allow, status: got.status || 0, uri: got.uri || '', querystring: got.querystring || '', body: got.body === undefined ? null : got.body, authorization: 'authorization' in got.headers }));
  }
}
console.error(table.cases.length - failed + ' passed, ' + failed + ' failed');
process.exit(failed > 0 ? 1 : 0);
