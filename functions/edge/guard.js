// pressroom guard: CloudFront Function (runtime cloudfront-js-2.0), viewer
// request, on every cache behaviour but partners/* (the default and *.json).
// Partner files are served only through the partners/* behaviour, whose
// function checks the key. CloudFront matches behaviours on the path with
// only unreserved characters decoded, while S3 decodes the whole key, so
// /partners%2Fdesk%2Ffeed.json would reach partners/desk/feed.json through
// *.json: any request whose decoded path is in partners/ is refused here.
// template.yaml inlines this file (internal/template checks the copy).
function handler(event) {
    var request = event.request;
    var path;
    try {
        path = decodeURIComponent(request.uri);
    } catch (e) {
        return deny();
    }
    path = path.replace(/\\/g, '/').replace(/\/{2,}/g, '/').toLowerCase();
    if (path === '/partners' || path.indexOf('/partners/') === 0) {
        return deny();
    }
    return request;
}

function deny() {
    return { statusCode: 403, statusDescription: 'Forbidden' };
}
