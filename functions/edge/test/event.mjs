// Builds CloudFront Functions' viewer-request event (runtime
// cloudfront-js-2.0, event version 1.0) from an HTTP request as the
// harnesses see it, and reads a function's result back. As CloudFront
// does: header names lower case, each header and query parameter an object
// {value}, with multiValue [{value}, ...] when it occurs more than once;
// query names and values as sent (split on "&", then at the first "=").

function field(values) {
  const f = { value: values[0] };
  if (values.length > 1) f.multiValue = values.map((value) => ({ value }));
  return f;
}

function define(obj, name, value) {
  // An own property whatever the name ("__proto__" included).
  Object.defineProperty(obj, name, { value, enumerable: true, writable: true, configurable: true });
}

/** parseQuery turns a raw query string into the event's querystring object. */
export function parseQuery(raw) {
  const grouped = new Map();
  for (const part of (raw || '').split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    if (!grouped.has(name)) grouped.set(name, []);
    grouped.get(name).push(value);
  }
  const qs = {};
  for (const [name, values] of grouped) define(qs, name, field(values));
  return qs;
}

/** serializeQuery is the query string CloudFront forwards for a querystring object. */
export function serializeQuery(qs) {
  const parts = [];
  for (const name of Object.keys(qs || {})) {
    const f = qs[name];
    const values = f.multiValue ? f.multiValue.map((v) => v.value) : [f.value];
    for (const v of values) parts.push(name + '=' + v);
  }
  return parts.join('&');
}

/**
 * buildEvent: method, uri (path as sent, no query), headers (name -> string
 * or array of strings), raw query string.
 */
export function buildEvent({ method = 'GET', uri, headers = {}, querystring = '' }) {
  const hs = {};
  const grouped = new Map();
  for (const [name, v] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!grouped.has(lower)) grouped.set(lower, []);
    grouped.get(lower).push(...(Array.isArray(v) ? v : [v]));
  }
  for (const [name, values] of grouped) define(hs, name, field(values));
  return {
    version: '1.0',
    context: { distributionDomainName: 'd111111abcdef8.cloudfront.net', distributionId: 'EDFDVBD6EXAMPLE', eventType: 'viewer-request', requestId: 'test' },
    viewer: { ip: '127.0.0.1' },
    request: { method, uri, querystring: parseQuery(querystring), headers: hs, cookies: {} },
  };
}

/**
 * outcome reads a viewer-request function's result: a response (the
 * function answered) or the request to forward.
 */
export function outcome(result) {
  if (result && typeof result.statusCode === 'number') {
    return { allow: false, status: result.statusCode, body: result.body === undefined ? null : result.body, headers: result.headers || {} };
  }
  if (!result || typeof result.uri !== 'string' || typeof result.method !== 'string') {
    throw new Error('the function returned neither a request nor a response: ' + JSON.stringify(result));
  }
  return { allow: true, uri: result.uri, querystring: serializeQuery(result.querystring), headers: result.headers || {} };
}
