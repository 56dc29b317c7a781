// operationTag: an operation has exactly one tag (its domain), and that tag is
// one of the document's declared top-level tags (API-GUIDE.md: "a tag (one per
// domain)"). Given: an operation object.
export default function operationTag(operation, _options, context) {
  if (operation === null || typeof operation !== 'object') return;
  const tags = Array.isArray(operation.tags) ? operation.tags : [];
  const results = [];
  if (tags.length !== 1) {
    results.push({ message: `an operation has exactly one tag, its domain; this one has ${tags.length}`, path: [...context.path, 'tags'] });
  }
  const declared = ((context.document.data || {}).tags || []).map((t) => t && t.name);
  tags.forEach((tag, i) => {
    if (!declared.includes(tag)) {
      results.push({
        message: `the tag "${tag}" is not one of the declared tags (${declared.join(', ')})`,
        path: [...context.path, 'tags', i],
      });
    }
  });
  return results;
}
