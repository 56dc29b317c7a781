// Runs the README's examples (example/readme.ts) against a stand-in for the API on a
// local port: no database, no Go server. It shows at run time what the types promise:
// the package loads (as an ES module or through require(), whichever the project
// compiles this file to), a 304 is `notModified` rather than an error, problem+json
// bodies arrive with their `code`, `must()` throws FazhiError, and pages() follows
// nextCursor. .ci/check-typescript runs it in each fresh project; `npm run smoke` runs
// it here (against dist/, which it builds first).
//
// It has no top-level await, so that it compiles as CommonJS too.

import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { FazhiError, createFazhiClient, isNotModified, must, pages, problemCodes } from "@fazhi/client";
import { createUnitMessage, getUnitCached, rename, unitOrNull } from "../example/readme.js";

const unitId = "0190a000-0000-7000-8000-000000000010";
const unit = {
  id: unitId,
  code: "211100-001",
  name: "盘锦市司法局",
  kind: "department",
  level: 2,
  path: `/${unitId}/`,
  version: 3,
  createdAt: "2021-01-04T00:00:00Z",
  updatedAt: "2021-01-04T00:00:00Z",
};
const etag = `"${unit.version}"`;
const seen: string[] = [];

function problem(res: ServerResponse, status: number, code: string, path: string): void {
  res.writeHead(status, { "Content-Type": "application/problem+json", "X-Request-Id": "req-1" });
  res.end(JSON.stringify({ type: `about:blank#${code}`, title: code, status, code, instance: path, requestId: "req-1" }));
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://localhost");
  const path = url.pathname.replace(/^\/api\/v1/, "");
  seen.push(`${req.method} ${path} ${req.headers["if-none-match"] ?? ""}`.trim());
  if (req.headers.authorization !== "Bearer t0ken") return problem(res, 401, "unauthenticated", path);
  if (req.method === "GET" && path === `/units/${unitId}`) {
    if (req.headers["if-none-match"] === etag) {
      res.writeHead(304, { ETag: etag }); // no body, as the API answers
      res.end();
      return;
    }
    res.writeHead(200, { "Content-Type": "application/json", ETag: etag });
    res.end(JSON.stringify(unit));
    return;
  }
  if (req.method === "PATCH" && path === `/units/${unitId}`) {
    assert.equal(req.headers["content-type"], "application/merge-patch+json");
    return req.headers["if-match"] === etag
      ? problem(res, 409, "unit_code_taken", path)
      : problem(res, 412, "version_mismatch", path);
  }
  if (req.method === "GET" && path === "/units") {
    const cursor = url.searchParams.get("cursor");
    const body = cursor === null ? { items: [unit], nextCursor: "page2" } : { items: [{ ...unit, code: "211100-002" }] };
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify(body));
    return;
  }
  problem(res, 404, "not_found", path);
}

async function main(): Promise<void> {
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
  try {
    const client = createFazhiClient({ baseUrl, token: "t0ken" });

    // A conditional GET: 200 and the ETag first, then a 304 that is neither data nor error.
    assert.equal((await getUnitCached(client, unitId)).name, unit.name);
    assert.equal((await getUnitCached(client, unitId)).name, unit.name);
    assert.deepEqual(seen.slice(-2), [`GET /units/${unitId}`, `GET /units/${unitId} ${etag}`]);
    const raw = await client.GET("/units/{id}", { params: { path: { id: unitId }, header: { "If-None-Match": etag } } });
    assert.equal(raw.notModified, true);
    assert.equal(raw.error, undefined);
    assert.equal(raw.data, undefined);
    assert.equal(raw.response.status, 304);
    const viaMust = await must(client.GET("/units/{id}", { params: { path: { id: unitId }, header: { "If-None-Match": etag } } }));
    assert.ok(isNotModified(viaMust));

    // Problems: the code arrives typed; must() throws FazhiError.
    assert.equal(await rename(client, unitId, '"2"', "x"), "reload");
    assert.equal(await rename(client, unitId, etag, "x"), "code taken");
    assert.equal(await unitOrNull(client, "0190a000-0000-7000-8000-00000000ffff"), null);
    const signedOut = createFazhiClient({ baseUrl });
    await assert.rejects(must(signedOut.GET("/units")), (e) => {
      assert.ok(e instanceof FazhiError);
      assert.equal(e.code, "unauthenticated");
      assert.equal(e.status, 401);
      assert.equal(e.requestId, "req-1");
      return true;
    });
    assert.equal(createUnitMessage({ type: "t", title: "t", status: 409, code: "unit_code_taken" }), "This code is taken: choose another.");
    assert.equal(typeof problemCodes.not_found, "string");

    // Paging follows nextCursor.
    const codes: string[] = [];
    for await (const page of pages(client, "/units", { params: { query: { limit: 1 } } })) {
      codes.push(...page.items.map((u) => u.code));
    }
    assert.deepEqual(codes, ["211100-001", "211100-002"]);

    console.log(`smoke: ok, ${seen.length} requests answered (200, 304, 401, 404, 409, 412, two pages)`);
  } finally {
    server.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
