// `npm run build` (and `npm pack`, through prepack): dist/esm and dist/cjs, for the
// "import" and "require" conditions of package.json's "exports".
//
// dist/esm is tsc's output (tsconfig.build.json): ES modules, declarations, maps.
// dist/cjs holds the same modules transpiled to CommonJS file by file (tsconfig.json sets
// isolatedModules, which makes that safe, and it spares a second type-check), the same
// declarations (a .d.ts reads the same in either format), and a package.json that marks
// the folder "type": "commonjs": the package as a whole is "type": "module", and Node.js
// and TypeScript would otherwise read the CommonJS files there as ES modules.
// tsc does not copy .d.ts sources, so src/schema.d.ts is copied into both.

import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const ts = require("typescript");
const root = fileURLToPath(new URL("..", import.meta.url));
const src = `${root}src`;
const esm = `${root}dist/esm`;
const cjs = `${root}dist/cjs`;

// .ci/check-typescript sets FAZHI_BUILD_NO_CHECK=1: it has just type-checked the same
// sources with the stricter tsconfig.json (`npm run check`), and tsc's --noCheck then
// emits the same files in half the time. Anyone else's build type-checks.
const noCheck = process.env.FAZHI_BUILD_NO_CHECK === "1" ? ["--noCheck"] : [];

rmSync(`${root}dist`, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json", ...noCheck], {
  cwd: root,
  stdio: "inherit",
});
copyFileSync(`${src}/schema.d.ts`, `${esm}/schema.d.ts`);

mkdirSync(cjs, { recursive: true });
for (const file of readdirSync(esm)) {
  if (file.endsWith(".d.ts") || file.endsWith(".d.ts.map")) {
    copyFileSync(`${esm}/${file}`, `${cjs}/${file}`);
  }
}
for (const file of readdirSync(src)) {
  if (!file.endsWith(".ts") || file.endsWith(".d.ts")) continue;
  const name = file.slice(0, -".ts".length);
  const { outputText, sourceMapText } = ts.transpileModule(readFileSync(`${src}/${file}`, "utf8"), {
    fileName: file,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      sourceMap: true,
    },
  });
  const map = JSON.parse(sourceMapText);
  map.sources = [`../../src/${file}`];
  writeFileSync(`${cjs}/${name}.js`, outputText);
  writeFileSync(`${cjs}/${name}.js.map`, JSON.stringify(map));
}
writeFileSync(`${cjs}/package.json`, `${JSON.stringify({ type: "commonjs" })}\n`);
