// errorResponses: every error an operation can return is declared, and every
// error response is application/problem+json (API-GUIDE.md, Errors). From what
// the operation declares, the statuses it can answer are known:
//   400 always (schema-invalid input, an undeclared query parameter);
//   401 when it needs credentials;
//   404 when its path names a record ({id});
//   413 and 415 when it takes a body;
//   412 and 428 when it takes If-Match;
//   409 and 422 when it takes Idempotency-Key (a key still running, reused with another body);
//   429 when API keys may call it (their rate) or it is public (sign-in throttling).
// Given: a path item, resolved.
const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export default function errorResponses(pathItem, _options, context) {
  if (pathItem === null || typeof pathItem !== 'object') return;
  const root = context.document.data || {};
  const results = [];
  for (const method of methods) {
    const op = pathItem[method];
    if (op === null || typeof op !== 'object') continue;
    const at = [...context.path, method];
    const responses = op.responses || {};
    const params = [...(pathItem.parameters || []), ...(op.parameters || [])].filter((p) => p && typeof p === 'object');
    const has = (where, name) => params.some((p) => p.in === where && String(p.name).toLowerCase() === name.toLowerCase());
    const security = Array.isArray(op.security) ? op.security : root.security;
    const isPublic = !Array.isArray(security) || security.length === 0 ||
      security.some((req) => req && typeof req === 'object' && Object.keys(req).length === 0);
    const perm = op['x-permission'] || {};
    const keys = Array.isArray(perm.apiKeyScopes) && perm.apiKeyScopes.length > 0;

    const need = new Map();
    const want = (status, why) => { if (!need.has(status)) need.set(status, why); };
    want('400', 'every operation refuses input that does not match the contract');
    if (!isPublic) want('401', 'it needs credentials');
    if (params.some((p) => p.in === 'path')) want('404', 'its path names a record');
    if (op.requestBody) { want('413', 'it takes a body'); want('415', 'it takes a body'); }
    if (has('header', 'If-Match')) { want('412', 'it takes If-Match'); want('428', 'it takes If-Match'); }
    if (has('header', 'Idempotency-Key')) {
      want('409', 'it takes Idempotency-Key (a request with the key still running)');
      want('422', 'it takes Idempotency-Key (the key reused with another body)');
    }
    if (keys || isPublic) want('429', keys ? 'API keys may call it (their rate)' : 'it is public (throttled)');
    for (const [status, why] of need) {
      if (!responses[status]) {
        results.push({ message: `declare the ${status} response: ${why}`, path: [...at, 'responses'] });
      }
    }

    for (const [status, response] of Object.entries(responses)) {
      if (!/^(4|5|default)/i.test(status) || response === null || typeof response !== 'object') continue;
      const types = Object.keys(response.content || {});
      if (types.length !== 1 || types[0] !== 'application/problem+json') {
        results.push({
          message: `the ${status} response is application/problem+json only (it has ${types.length ? types.join(', ') : 'no content'})`,
          path: [...at, 'responses', status],
        });
      }
    }
  }
  return results;
}
