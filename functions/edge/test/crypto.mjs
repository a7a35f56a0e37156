// A stand-in for CloudFront Functions' 'crypto' module: only what the
// cloudfront-js-2.0 runtime documents (createHash and createHmac with md5,
// sha1 or sha256; update; digest in hex, base64 or base64url), so that the
// function cannot come to rely on more of Node's crypto than the edge has.
import nodeCrypto from 'node:crypto';

const ALGORITHMS = ['md5', 'sha1', 'sha256'];
const ENCODINGS = ['hex', 'base64', 'base64url'];

function wrap(h) {
  return {
    update(data) {
      h.update(data);
      return this;
    },
    digest(encoding) {
      if (encoding === undefined) return h.digest();
      if (!ENCODINGS.includes(encoding)) throw new Error('crypto: digest encoding ' + encoding + ' is not available at the edge');
      return h.digest(encoding);
    },
  };
}

export default {
  createHash(algorithm) {
    if (!ALGORITHMS.includes(algorithm)) throw new Error('crypto: hash ' + algorithm + ' is not available at the edge');
    return wrap(nodeCrypto.createHash(algorithm));
  },
  createHmac(algorithm, secret) {
    if (!ALGORITHMS.includes(algorithm)) throw new Error('crypto: hmac ' + algorithm + ' is not available at the edge');
    return wrap(nodeCrypto.createHmac(algorithm, secret));
  },
};
