// Module hooks that let Node run a CloudFront Function file unmodified:
// 'cloudfront' and 'crypto' imported by it resolve to the stand-ins beside
// this file, and its top-level handler (a CloudFront Function exports
// nothing) is made importable by appending one export line to the source as
// loaded, in memory. The file on disk is the one template.yaml deploys.
import { fileURLToPath } from 'node:url';

const here = new URL('./', import.meta.url);
const functionsDir = new URL('../', here).href;

export async function resolve(specifier, context, next) {
  const fromFunction = context.parentURL && context.parentURL.startsWith(functionsDir) && !context.parentURL.startsWith(here.href);
  if (fromFunction && specifier === 'cloudfront') {
    return { url: new URL('cloudfront.mjs', here).href, shortCircuit: true };
  }
  if (fromFunction && specifier === 'crypto') {
    return { url: new URL('crypto.mjs', here).href, shortCircuit: true };
  }
  if (fromFunction) {
    throw new Error('a CloudFront Function may import only cloudfront and crypto, not ' + specifier);
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (url.startsWith(functionsDir) && !url.startsWith(here.href) && url.endsWith('.js')) {
    const result = await next(url, { ...context, format: 'module' });
    const source = Buffer.from(result.source).toString('utf8');
    return { format: 'module', source: source + '\nexport { handler };\n', shortCircuit: true };
  }
  return next(url, context);
}

export const functionFile = (name) => fileURLToPath(new URL(name, functionsDir));
