// Part of `npm run check`: every ts, js and json code block of README.md must be a verbatim
// excerpt (whole lines, possibly less indented) of a file that CI compiles or runs:
// example/*, or a tsconfig.json/package.json of test/consumers/*. The README's examples
// then cannot drift from code that compiles; to change one, change the file and copy the
// lines. Shell blocks (sh) are commands, not checked.

import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const sources = [
  ...readdirSync(`${root}example`).map((f) => `example/${f}`),
  ...readdirSync(`${root}test/consumers`).flatMap((d) =>
    readdirSync(`${root}test/consumers/${d}`).map((f) => `test/consumers/${d}/${f}`),
  ),
].map((name) => ({ name, lines: readFileSync(`${root}${name}`, "utf8").split("\n").map((l) => l.trimEnd()) }));

const readme = readFileSync(`${root}README.md`, "utf8").split("\n");
const checked = new Set(["ts", "typescript", "js", "javascript", "json", "jsonc"]);
let blocks = 0;
const failures = [];
for (let i = 0; i < readme.length; i++) {
  const open = /^```(\w+)\s*$/.exec(readme[i] ?? "");
  if (open === null) continue;
  const start = i + 1;
  let end = start;
  while (end < readme.length && !/^```\s*$/.test(readme[end] ?? "")) end++;
  const lines = readme.slice(start, end).map((l) => l.trimEnd());
  i = end;
  if (!checked.has(open[1] ?? "")) continue;
  while (lines.length > 0 && lines[0] === "") lines.shift();
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  if (lines.length === 0) continue;
  blocks++;
  if (!sources.some((source) => contains(source.lines, lines))) {
    failures.push(`README.md:${start}: the ${open[1]} block starting "${lines[0]}" is not an excerpt of example/ or test/consumers/`);
  }
}

// Whether `block` appears in `file` as consecutive lines, each with one common indent.
function contains(file, block) {
  const first = block[0];
  for (let i = 0; i + block.length <= file.length; i++) {
    const line = file[i];
    if (!line.endsWith(first) || line.slice(0, line.length - first.length).trim() !== "") continue;
    const indent = line.slice(0, line.length - first.length);
    if (block.every((b, j) => (b === "" ? file[i + j] === "" : file[i + j] === indent + b))) return true;
  }
  return false;
}

if (failures.length > 0) {
  console.error(failures.join("\n"));
  console.error("FAIL: README.md shows code that CI does not compile: copy the lines from the file (or change the file)");
  process.exit(1);
}
console.log(`README.md: ${blocks} code blocks, each an excerpt of a file CI compiles`);
