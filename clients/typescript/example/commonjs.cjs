// CommonJS without TypeScript: require() loads dist/cjs through the "require" condition of
// the package's "exports". .ci/check-typescript runs it in its CommonJS project.
const { createFazhiClient, isNotModified, problemCodes } = require("@fazhi/client");

const client = createFazhiClient({ baseUrl: "http://localhost:8080/api/v1", token: process.env.FAZHI_TOKEN });
async function unitName(id, cached) {
  const header = cached ? { "If-None-Match": cached.etag } : {};
  const result = await client.GET("/units/{id}", { params: { path: { id }, header } });
  if (isNotModified(result)) return cached.unit.name;
  if (result.error) throw new Error(`${result.error.code}: ${problemCodes[result.error.code]}`);
  return result.data.name;
}

console.log(`commonjs: loaded, ${typeof unitName}, ${Object.keys(problemCodes).length} problem codes`);
