// pressroom partners: CloudFront Function (runtime cloudfront-js-2.0), viewer
// request, on the partners/* cache behaviour. A partner's files
// (partners/NAME/...) are read with a key: "Authorization: Bearer KEY" (the
// scheme in any case) or "?key=KEY". The associated KeyValueStore maps the
// hex SHA-256 of each key to "NAME CREATED" (internal/partners.StoreValue);
// it never holds a key. The request passes only when the key's partner is
// the one whose folder the path is in, and then without the key, so neither
// the origin nor its logs see it. Anything else: 403, no body.
// internal/partners.Authorize is the same rule; testdata/cases.json holds the
// cases both must agree on (internal/partners/edge_test.go).
//
// template.yaml inlines this file through Fn::Sub, which replaces the store
// id placeholder below with the store's id: the file must hold no other
// dollar-brace sequence (internal/template checks the copy byte for byte).
import cf from 'cloudfront';
import crypto from 'crypto';

var kvs = cf.kvs('${KvsId}');
var PREFIX = '/partners/';
var NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
var KEY = /^[A-Za-z0-9_-]{1,256}$/;
var CONTROL = /[\x00-\x1f\x7f]/;

function deny() {
    return { statusCode: 403, statusDescription: 'Forbidden' };
}

// partnerOf returns the partner whose folder uri stays in, or null.
function partnerOf(uri) {
    if (uri.indexOf(PREFIX) !== 0) {
        return null;
    }
    var rest = uri.slice(PREFIX.length);
    var slash = rest.indexOf('/');
    if (slash < 0) {
        return null;
    }
    var name = rest.slice(0, slash);
    if (!NAME.test(name)) {
        return null;
    }
    var lower = uri.toLowerCase();
    if (lower.indexOf('%2f') >= 0 || lower.indexOf('%5c') >= 0 || uri.indexOf('\\') >= 0) {
        return null;
    }
    var decoded;
    try {
        decoded = decodeURIComponent(uri);
    } catch (e) {
        return null;
    }
    var segs = decoded.split('/');
    for (var i = 0; i < segs.length; i++) {
        var s = segs[i];
        if (s === '.' || s === '..' || (s === '' && i !== 0 && i !== segs.length - 1) || CONTROL.test(s)) {
            return null;
        }
    }
    return name;
}

function values(field) {
    if (!field) {
        return [];
    }
    return field.multiValue ? field.multiValue : [field];
}

// bearer reads "Bearer KEY", or returns null.
function bearer(h) {
    h = h.replace(/^[ \t]+|[ \t]+$/g, '');
    var sp = h.indexOf(' ');
    if (sp < 0 || h.slice(0, sp).toLowerCase() !== 'bearer') {
        return null;
    }
    return h.slice(sp + 1).replace(/^ +/, '');
}

// presentedKey returns the one key the request carries, or null.
function presentedKey(request) {
    var keys = [];
    var auth = values(request.headers.authorization);
    for (var i = 0; i < auth.length; i++) {
        var k = bearer(auth[i].value);
        if (k === null) {
            return null;
        }
        keys.push(k);
    }
    var q = values(request.querystring.key);
    for (var j = 0; j < q.length; j++) {
        keys.push(q[j].value);
    }
    if (keys.length !== 1 || !KEY.test(keys[0])) {
        return null;
    }
    return keys[0];
}

function strip(request) {
    delete request.querystring.key;
    delete request.headers.authorization;
    return request;
}

async function handler(event) {
    var request = event.request;
    request.headers = request.headers || {};
    request.querystring = request.querystring || {};
    // A CORS preflight carries no credentials and reads no file.
    if (request.method === 'OPTIONS') {
        return strip(request);
    }
    var name = partnerOf(request.uri);
    if (name === null) {
        return deny();
    }
    var key = presentedKey(request);
    if (key === null) {
        return deny();
    }
    var value;
    try {
        value = await kvs.get(crypto.createHash('sha256').update(key).digest('hex'));
    } catch (e) {
        return deny(); // not in the store (or the store failed: closed)
    }
    var partner = String(value).split(' ')[0];
    if (!NAME.test(partner) || partner !== name) {
        return deny();
    }
    return strip(request);
}
