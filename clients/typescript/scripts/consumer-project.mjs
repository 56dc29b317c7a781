// node scripts/consumer-project.mjs NAME TARBALL DIR
//
// Writes the fresh project test/consumers/NAME into DIR (outside the repository) for
// .ci/check-typescript: its package.json and tsconfig.json, the examples and tests it
// compiles, and a package-lock.json that installs the TARBALL (from `npm pack`) and
// @types/node, so that `npm ci --offline` installs it from npm's cache alone.
//
// Why a lock: without one, npm resolves each dependency by asking the registry for its
// metadata (the "packument"), which `npm ci` of this package does not leave in the cache,
// so the fresh project would need the network, and could get other versions than ours.
// With a lock that names the versions and integrity hashes of this package's own
// package-lock.json, npm takes the very tarballs `npm ci` cached.

import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { basename, relative } from "node:path";
import { fileURLToPath } from "node:url";

const [name, tarball, dir] = process.argv.slice(2);
if (name === undefined || tarball === undefined || dir === undefined) {
  console.error("usage: node scripts/consumer-project.mjs NAME TARBALL DIR");
  process.exit(2);
}
const root = fileURLToPath(new URL("..", import.meta.url));
const readJSON = (path) => JSON.parse(readFileSync(path, "utf8"));
const pkg = readJSON(`${root}package.json`);
const lock = readJSON(`${root}package-lock.json`);

// The files the project compiles (its tsconfig.json picks which) and runs.
mkdirSync(`${dir}/example`, { recursive: true });
mkdirSync(`${dir}/test`, { recursive: true });
copyFileSync(`${root}test/consumers/${name}/tsconfig.json`, `${dir}/tsconfig.json`);
for (const file of readdirSync(`${root}example`)) copyFileSync(`${root}example/${file}`, `${dir}/example/${file}`);
for (const file of ["types.ts", "smoke.ts"]) copyFileSync(`${root}test/${file}`, `${dir}/test/${file}`);

const project = readJSON(`${root}test/consumers/${name}/package.json`);
const spec = `file:${relative(dir, tarball)}`;
project.dependencies = { [pkg.name]: spec };
project.devDependencies = { "@types/node": pkg.devDependencies["@types/node"] };
writeFileSync(`${dir}/package.json`, `${JSON.stringify(project, null, 2)}\n`);

// The lock: the tarball, and every package it and @types/node need, as this package's
// lock has them (all at the top of node_modules there, which the check below confirms).
const packages = {
  "": { name: project.name, dependencies: project.dependencies, devDependencies: project.devDependencies },
  [`node_modules/${pkg.name}`]: {
    version: pkg.version,
    resolved: spec,
    integrity: `sha512-${createHash("sha512").update(readFileSync(tarball)).digest("base64")}`,
    dependencies: pkg.dependencies,
  },
};
const closure = (names) => {
  const seen = new Set();
  const queue = [...names];
  while (queue.length > 0) {
    const dep = queue.shift();
    if (seen.has(dep)) continue;
    seen.add(dep);
    const entry = lock.packages[`node_modules/${dep}`];
    if (entry === undefined) {
      console.error(`consumer-project: ${dep} is not at the top of node_modules in package-lock.json`);
      process.exit(1);
    }
    queue.push(...Object.keys(entry.dependencies ?? {}));
  }
  return seen;
};
const prod = closure(Object.keys(pkg.dependencies));
for (const dep of [...prod, ...closure(Object.keys(project.devDependencies))]) {
  const { version, resolved, integrity, license, dependencies } = lock.packages[`node_modules/${dep}`];
  packages[`node_modules/${dep}`] = {
    version,
    ...(resolved === undefined ? {} : { resolved }),
    integrity,
    ...(prod.has(dep) ? {} : { dev: true }),
    license,
    ...(dependencies === undefined ? {} : { dependencies }),
  };
}
writeFileSync(
  `${dir}/package-lock.json`,
  `${JSON.stringify({ name: project.name, lockfileVersion: 3, requires: true, packages }, null, 2)}\n`,
);
console.log(`${basename(dir)}: ${Object.keys(packages).length - 1} packages locked`);
