// cursorPaged: every list is paged by cursor (API-GUIDE.md, Lists).
// What counts as a list: the JSON answer of a GET whose schema is an array, or
// an object with an array `items` (the page shape). A document that carries
// arrays under other names (a tree, a scorecard) is not a list, and neither is
// the answer of a POST (a bulk result). A list is an object, never a bare
// array; it has `nextCursor`; and its operation declares the `limit` and
// `cursor` query parameters. Given: a path item, resolved.
const methods = ['get', 'head'];

function isArraySchema(s) {
  return s && typeof s === 'object' && s.type === 'array';
}

export default function cursorPaged(pathItem, _options, context) {
  if (pathItem === null || typeof pathItem !== 'object') return;
  const results = [];
  for (const method of methods) {
    const op = pathItem[method];
    if (op === null || typeof op !== 'object') continue;
    const at = [...context.path, method];
    const params = [...(pathItem.parameters || []), ...(op.parameters || [])].filter((p) => p && typeof p === 'object');
    for (const [status, response] of Object.entries(op.responses || {})) {
      if (!/^2/.test(status) || !response || !response.content) continue;
      for (const [type, media] of Object.entries(response.content)) {
        if (!/json$/.test(type) || !media || !media.schema) continue;
        const schema = media.schema;
        const where = [...at, 'responses', status, 'content', type, 'schema'];
        if (isArraySchema(schema)) {
          results.push({ message: 'a list answers an object {items, nextCursor}, never a bare array', path: where });
          continue;
        }
        const props = schema.properties || {};
        if (!isArraySchema(props.items)) continue;
        if (!props.nextCursor || props.nextCursor.type !== 'string') {
          results.push({ message: 'a list page (an object with an items array) has a string nextCursor', path: [...where, 'properties'] });
        }
        for (const name of ['limit', 'cursor']) {
          if (!params.some((p) => p.in === 'query' && p.name === name)) {
            results.push({ message: `a list declares the query parameter ${name} (cursor paging)`, path: [...at, 'parameters'] });
          }
        }
      }
    }
  }
  return results;
}
