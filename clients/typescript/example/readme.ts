// The README's examples. Each ```ts block of README.md is a verbatim excerpt of this file
// (or of example/units.ts), and `npm run check` fails when one is not, so they cannot rot:
// this file compiles with the package's strict tsconfig, in the three fresh projects of
// .ci/check-typescript (bundler, Node16 ESM, Node16 CommonJS, each an ordinary
// `"strict": true`), and test/smoke.ts runs its functions against a stand-in server.
//
// It is a module without top-level await, so that it compiles as CommonJS too.

import { FazhiError, createFazhiClient, items, login, must, pages, problemCodes } from "@fazhi/client";
import type { FazhiClient, OperationProblemCodes, Problem, ProblemCode, Schema } from "@fazhi/client";

export async function showUnit(baseUrl: string, username: string, password: string, id: string): Promise<void> {
  // Sign in: the session token lasts 12 hours (FAZHI_SESSION_TTL), or until logout.
  const token = await login(baseUrl, username, password);
  const client = createFazhiClient({ baseUrl, token });

  const { data, error } = await client.GET("/units/{id}", { params: { path: { id } } });
  if (error !== undefined) {
    console.error(`${error.status} ${error.code}: ${error.detail ?? error.title}`);
    return;
  }
  const unit: Schema<"Unit"> = data; // typed from the contract already
  console.log(unit.code, unit.shortName ?? unit.name);
}

// A token can also be a function, asked before each request: keep it in your own store.
export function clientFor(baseUrl: string, session: { token?: string }): FazhiClient {
  return createFazhiClient({ baseUrl, token: () => session.token });
}

export async function clearShortName(client: FazhiClient, id: string): Promise<void> {
  const read = await client.GET("/units/{id}", { params: { path: { id } } });
  const etag = read.response.headers.get("ETag") ?? "";
  await client.PATCH("/units/{id}", {
    params: { path: { id }, header: { "If-Match": etag } },
    body: { shortName: null } satisfies Schema<"UnitPatch">,
  });
}

export async function uploadAndDownload(client: FazhiClient, valueId: string, file: File): Promise<Blob | undefined> {
  const form = new FormData();
  form.append("file", file); // a File from <input type="file">
  const { data: attachment, error, response } = await client.POST("/indicator-values/{id}/attachments", {
    params: { path: { id: valueId } },
    body: form as unknown as Schema<"AttachmentUpload">,
  });
  if (attachment === undefined) throw new FazhiError(response, error);

  const { data: blob } = await client.GET("/attachments/{id}/content", {
    params: { path: { id: attachment.id } },
    parseAs: "blob",
  });
  return blob;
}

// ---- conditional GET: 304 Not Modified -----------------------------------------------

const units = new Map<string, { etag: string; unit: Schema<"Unit"> }>();

/** GET /units/{id} through a cache: an unchanged unit costs a 304 without a body. */
export async function getUnitCached(client: FazhiClient, id: string): Promise<Schema<"Unit">> {
  const cached = units.get(id);
  const header = cached === undefined ? {} : { "If-None-Match": cached.etag };
  const { data, error, notModified, response } = await client.GET("/units/{id}", { params: { path: { id }, header } });
  if (notModified && cached !== undefined) {
    return cached.unit; // 304: unchanged since the ETag we sent
  }
  if (data === undefined) {
    throw new FazhiError(response, error); // error.code: one of getUnit's codes
  }
  units.set(id, { etag: response.headers.get("ETag") ?? "", unit: data });
  return data;
}

// ---- errors: branch on problem.code ----------------------------------------------------

export async function rename(client: FazhiClient, id: string, etag: string, name: string): Promise<string> {
  const { error, response } = await client.PATCH("/units/{id}", {
    params: { path: { id }, header: { "If-Match": etag } },
    body: { name } satisfies Schema<"UnitPatch">,
  });
  if (error === undefined) return "renamed";
  switch (error.code) { // one of updateUnit's codes: a misspelt or foreign code does not compile
    case "version_mismatch": // 412: someone changed it since you read it; reload and retry
      return "reload";
    case "invalid_request": // 400: error.errors lists each field (pointer) or parameter at fault
      return (error.errors ?? []).map((e) => `${e.pointer ?? e.parameter}: ${e.message}`).join("; ");
    case "unit_code_taken": // 409
      return "code taken";
    case "unauthenticated": // 401: the session expired or was revoked; sign in again
      return "sign in";
    default:
      return `${error.title} (${error.requestId ?? response.headers.get("X-Request-Id")})`;
  }
}

export async function unitOrNull(client: FazhiClient, id: string): Promise<Schema<"Unit"> | null> {
  try {
    return await must(client.GET("/units/{id}", { params: { path: { id } } }));
  } catch (e) {
    if (e instanceof FazhiError && e.code === "not_found") return null;
    throw e;
  }
}

/** What a code means, for a log line or a support ticket. */
export function explain(code: ProblemCode): string {
  return `${code}: ${problemCodes[code]}`;
}

/** A helper typed by one operation's codes: only createUnit's compile here. */
export function createUnitMessage(problem: Problem<OperationProblemCodes["createUnit"]>): string {
  switch (problem.code) {
    case "unit_code_taken":
      return "This code is taken: choose another.";
    case "unit_parent_not_found":
      return "The parent unit no longer exists.";
    default:
      return explain(problem.code);
  }
}

// ---- paging ------------------------------------------------------------------------

export async function listDepartments(client: FazhiClient, indicatorId: string): Promise<void> {
  for await (const page of pages(client, "/units", { params: { query: { kind: "department", limit: 100 } } })) {
    console.log(page.items.map((unit) => unit.name)); // Schema<"Unit">[]
  }

  // the same, item by item; lists under a record need its id
  for await (const target of items(client, "/indicators/{id}/targets", { params: { path: { id: indicatorId } } })) {
    console.log(target.year, target.value);
  }
}
