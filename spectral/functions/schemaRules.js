// schemaRules: checks every schema of the document where it is written (the
// unresolved document, so each finding points at one place), skipping
// examples and extensions. functionOptions.check picks the rule:
//   "decimal": no schema is a JSON number. Exact decimals (values, targets,
//     points, scores) travel as strings, the `Decimal` schema; counts are
//     `integer` (API-GUIDE.md, Shape).
//   "closedObject": every object schema declares `additionalProperties: false`,
//     or a schema for the extra values; never leaves it out or sets it to true.
//     An object made only of allOf/oneOf/anyOf is closed by its parts.
// Given: the document root ($), unresolved.
const subSchemaMaps = ['properties', 'patternProperties'];
const subSchemaLists = ['allOf', 'anyOf', 'oneOf'];
const subSchemaSingles = ['items', 'not', 'additionalProperties'];

function walkSchema(schema, path, visit) {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return;
  if (typeof schema.$ref === 'string') return;
  visit(schema, path);
  for (const key of subSchemaMaps) {
    const map = schema[key];
    if (map && typeof map === 'object') {
      for (const [name, sub] of Object.entries(map)) walkSchema(sub, [...path, key, name], visit);
    }
  }
  for (const key of subSchemaLists) {
    if (Array.isArray(schema[key])) schema[key].forEach((sub, i) => walkSchema(sub, [...path, key, i], visit));
  }
  for (const key of subSchemaSingles) walkSchema(schema[key], [...path, key], visit);
}

// walkDocument finds the schemas of an OpenAPI 3 document: components.schemas
// and every `schema` (parameters, headers, media types), wherever they are.
function walkDocument(node, path, visit) {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    node.forEach((item, i) => walkDocument(item, [...path, i], visit));
    return;
  }
  for (const [key, value] of Object.entries(node)) {
    if (key === 'example' || key === 'examples' || key.startsWith('x-')) continue;
    const at = [...path, key];
    if (key === 'schema') {
      walkSchema(value, at, visit);
    } else if (path.length === 1 && path[0] === 'components' && key === 'schemas') {
      for (const [name, schema] of Object.entries(value || {})) walkSchema(schema, [...at, name], visit);
    } else {
      walkDocument(value, at, visit);
    }
  }
}

const checks = {
  decimal(schema, path, results) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (types.includes('number') || schema.format === 'float' || schema.format === 'double') {
      results.push({
        message: 'a JSON number loses digits: an exact decimal is a string ($ref: Decimal), a count an integer',
        path: [...path, 'type' in schema ? 'type' : 'format'],
      });
    }
  },
  closedObject(schema, path, results) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    const isObject = types.includes('object') || (schema.type === undefined && schema.properties);
    if (!isObject) return;
    const composed = subSchemaLists.some((k) => Array.isArray(schema[k]));
    if (composed && !schema.properties) return;
    const ap = schema.additionalProperties;
    if (ap === false || (ap !== null && typeof ap === 'object' && !Array.isArray(ap))) return;
    results.push({
      message: ap === true
        ? 'additionalProperties: true accepts anything: declare false, or a schema for the extra values'
        : 'an object schema declares additionalProperties: false (or a schema for the extra values)',
      path: ap === true ? [...path, 'additionalProperties'] : path,
    });
  },
};

export default function schemaRules(document, options, context) {
  const check = checks[options && options.check];
  if (!check) throw new Error(`schemaRules: unknown check ${options && options.check}`);
  const results = [];
  walkDocument(document, [...context.path], (schema, path) => check(schema, path, results));
  return results;
}
