// What a frontend does with the client: sign in, list every unit page by page, read the
// demo indicator system's tree, and handle a refusal by its problem `code`.
//
// `npm run check` compiles it, and .ci/check-typescript compiles it again in fresh
// projects that install the packed package; `npm run example` runs it against a server
// (see the README). It imports "@fazhi/client" as an application does. An application
// would take the URL and credentials from its sign-in form rather than the environment.
// An ES module (top-level await): a CommonJS project would wrap it in an async function.

import { FazhiError, createFazhiClient, login, must, pages } from "@fazhi/client";
import type { Schema } from "@fazhi/client";

const baseUrl = process.env["FAZHI_URL"] ?? "http://localhost:8080/api/v1";
const username = process.env["FAZHI_USERNAME"] ?? "fzb.admin";
const password = process.env["FAZHI_PASSWORD"] ?? "Fazhi-Demo-2021";

// 1. Sign in. A wrong password is a 401 whose problem code is `unauthenticated`; too many
//    failures a 429 (`rate_limited` or `login_locked`).
let token: string;
try {
  token = await login(baseUrl, username, password);
} catch (e) {
  if (e instanceof FazhiError && e.code === "unauthenticated") {
    console.error("wrong username or password");
  } else if (e instanceof FazhiError && e.status === 429) {
    console.error(`too many attempts, try again in ${e.response.headers.get("Retry-After") ?? "a while"} s`);
  } else {
    console.error(e);
  }
  process.exit(1);
}
const client = createFazhiClient({ baseUrl, token });

// 2. Every unit, 20 a page: pages() follows nextCursor with the same filters and sort.
let units = 0;
for await (const page of pages(client, "/units", { params: { query: { limit: 20, sort: "code" } } })) {
  for (const unit of page.items) {
    units++;
    console.log(`${"  ".repeat(unit.level - 1)}${unit.code} ${unit.shortName ?? unit.name} (${unit.kind})`);
  }
  console.log(`-- ${units} units so far${page.nextCursor === undefined ? ", the last page" : ""}`);
}

// 3. The demo indicator system and its tree. Plain openapi-fetch calls answer
//    { data, error, response }; `must()` turns an error into a thrown FazhiError.
const systems = await must(
  client.GET("/indicator-systems", { params: { query: { q: "盘锦市2021年", status: "published" } } }),
);
const system = systems.items[0];
if (system === undefined) {
  console.log("no published system matches; is the demo data loaded?");
} else {
  const tree = await must(client.GET("/indicator-systems/{id}/tree", { params: { path: { id: system.id } } }));
  console.log(`${tree.system.name} ${tree.system.edition}: ${tree.system.totalPoints} points`);
  printIndicators(tree.indicators, 1);
}

function printIndicators(nodes: Schema<"IndicatorNode">[], depth: number): void {
  for (const node of nodes) {
    // Decimals (points, values) are strings so that no digit is lost: show them as they come.
    const unit = node.measureUnit === undefined ? "" : ` [${node.measureUnit}]`;
    console.log(`${"  ".repeat(depth)}${node.code} ${node.name}${unit}: ${node.points}`);
    printIndicators(node.children, depth + 1);
  }
}

// 4. A refusal without exceptions: `error` is the Problem; branch on its stable `code`.
const missing = "0190a000-0000-7000-8000-00000000ffff";
const { data, error, response } = await client.GET("/units/{id}", { params: { path: { id: missing } } });
if (error !== undefined) {
  switch (error.code) {
    case "not_found":
      console.log(`unit ${missing}: not found (request ${error.requestId ?? response.headers.get("X-Request-Id")})`);
      break;
    case "invalid_request":
      for (const violation of error.errors ?? []) {
        console.log(`invalid ${violation.parameter ?? violation.pointer}: ${violation.message}`);
      }
      break;
    case "unauthenticated":
      console.log("the session expired: sign in again");
      break;
    default:
      console.log(`${error.status} ${error.code}: ${error.detail ?? error.title}`);
  }
} else {
  console.log(`unit ${missing} exists: ${data?.name}`);
}
