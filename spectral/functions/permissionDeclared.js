// permissionDeclared: every operation that needs credentials (its own
// `security`, else the document's, is not empty) declares who may call it in
// `x-permission` (roles and/or API key scopes) and states it in a
// "Permission: ..." line of its description; a public operation (`security:
// []`) has no x-permission and says "Permission: anyone ...".
// Given: an operation object (unresolved document, for the root security).
const permissionLine = /^\s*Permission: \S/m;

export default function permissionDeclared(operation, _options, context) {
  if (operation === null || typeof operation !== 'object') return;
  const root = context.document.data || {};
  const security = Array.isArray(operation.security) ? operation.security : root.security;
  const isPublic =
    !Array.isArray(security) || security.length === 0 ||
    security.some((req) => req && typeof req === 'object' && Object.keys(req).length === 0);
  const results = [];
  const perm = operation['x-permission'];
  if (isPublic) {
    if (perm !== undefined) {
      results.push({ message: 'a public operation (security: []) declares no x-permission', path: [...context.path, 'x-permission'] });
    }
    if (!/^\s*Permission: anyone/m.test(operation.description || '')) {
      results.push({ message: 'a public operation says so in its description: "Permission: anyone ..."', path: [...context.path, 'description'] });
    }
    return results;
  }
  const nonEmpty = (v) => Array.isArray(v) && v.length > 0;
  if (perm === null || typeof perm !== 'object' || Array.isArray(perm)) {
    results.push({ message: 'an operation that needs credentials declares x-permission (roles and/or apiKeyScopes)', path: context.path });
  } else if (!nonEmpty(perm.roles) && !nonEmpty(perm.apiKeyScopes)) {
    results.push({ message: 'x-permission names no role and no API key scope: nobody could call the operation', path: [...context.path, 'x-permission'] });
  }
  if (!permissionLine.test(operation.description || '')) {
    results.push({ message: 'the description states the permission on a line "Permission: ..."', path: [...context.path, 'description'] });
  }
  return results;
}
