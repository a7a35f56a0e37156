// A stand-in for CloudFront Functions' 'cloudfront' module (runtime
// cloudfront-js-2.0), as its helper methods for key value stores are
// documented: cf.kvs(id) returns a handle whose get(key, {format}) resolves
// to the value (string by default, or json, or bytes) and REJECTS when the
// key is not in the store; exists(key) resolves to a boolean; meta() to the
// store's metadata. The store's contents come from setStore (the harness
// sets them per case); a store set to null fails every read, as an
// unreachable store would.

let store = new Map();

/** setStore replaces the store's contents: an object or Map of key -> value, or null. */
export function setStore(entries) {
  if (entries === null) {
    store = null;
    return;
  }
  store = new Map(entries instanceof Map ? entries : Object.entries(entries || {}));
}

function check(key) {
  if (store === null) {
    throw new Error('KeyValueStore unavailable');
  }
  if (typeof key !== 'string' || key.length === 0 || Buffer.byteLength(key) > 512) {
    throw new Error('invalid key');
  }
}

function handle(id) {
  return {
    async get(key, options) {
      check(key);
      if (!store.has(key)) {
        throw new Error('KeyNotFound: ' + key);
      }
      const v = store.get(key);
      const format = (options && options.format) || 'string';
      if (format === 'string') return v;
      if (format === 'json') return JSON.parse(v);
      if (format === 'bytes') return Buffer.from(v, 'utf8');
      throw new Error('unknown format ' + format);
    },
    async exists(key) {
      check(key);
      return store.has(key);
    },
    async meta() {
      if (store === null) throw new Error('KeyValueStore unavailable');
      let size = 0;
      for (const [k, v] of store) size += Buffer.byteLength(k) + Buffer.byteLength(v);
      return { creationDateTime: '2026-01-01T00:00:00Z', lastUpdatedDateTime: '2026-01-01T00:00:00Z', keyCount: store.size, id, size };
    },
  };
}

let handles = 0;

export default {
  kvs(id) {
    // A function has at most one store associated; the id is the store's
    // (or, in tests, the template's placeholder).
    if (id !== undefined && (typeof id !== 'string' || id === '')) {
      throw new Error('cf.kvs: bad key value store id');
    }
    handles++;
    return handle(id);
  },
};
