// Type tests, compiled and never run: each `@ts-expect-error` must meet an error and each
// `true` must be provable, or tsc fails. `npm run check` compiles them with the package's
// strict tsconfig, .ci/check-typescript again in fresh projects with an ordinary one.

import { createFazhiClient, isNotModified, items, must, pages, problemCodes } from "@fazhi/client";
import type {
  ItemOf,
  NotModified,
  OperationProblemCodes,
  PageOf,
  PagedPath,
  Problem,
  ProblemCode,
  Schema,
} from "@fazhi/client";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Includes<Union, Member> = [Member] extends [Union] ? true : false;

const client = createFazhiClient({ baseUrl: "http://localhost:8080/api/v1", token: () => undefined });
declare const id: string;

// PagedPath is computed from the contract: GETs with a `cursor` parameter answering
// { items, nextCursor? }. /units/{id}/ancestors answers that shape but takes no cursor.
export const paged: [
  Includes<PagedPath, "/units">,
  Includes<PagedPath, "/indicator-values">,
  Includes<PagedPath, "/indicators/{id}/targets">,
  Includes<PagedPath, "/evaluations/{id}/compare">,
  Includes<PagedPath, "/units/{id}/ancestors">,
  Includes<PagedPath, "/units/{id}">,
] = [true, true, true, true, false, false];

export const pageTypes: [
  Equal<PageOf<"/units">, Schema<"UnitPage">>,
  Equal<ItemOf<"/units">, Schema<"Unit">>,
  Equal<PageOf<"/evaluations/{id}/compare">, Schema<"ComparisonPage">>,
  Equal<Omit<Problem, "code">, Omit<Schema<"Problem">, "code">>,
  Equal<Problem["code"], ProblemCode>,
  Equal<Schema<"Problem">["code"], string>,
] = [true, true, true, true, true, true];

export async function paging(): Promise<void> {
  for await (const page of pages(client, "/units")) {
    const units: Schema<"Unit">[] = page.items;
    const next: string | undefined = page.nextCursor;
    void units, next;
  }
  for await (const target of items(client, "/indicators/{id}/targets", { params: { path: { id } } })) {
    const value: string = target.value;
    void value;
  }
  // @ts-expect-error not a list: no cursor parameter
  pages(client, "/units/{id}/ancestors", { params: { path: { id } } });
  // @ts-expect-error the path id is required
  pages(client, "/indicators/{id}/targets");
  // @ts-expect-error the query parameter `with` is required
  pages(client, "/evaluations/{id}/compare", { params: { path: { id } } });
  // @ts-expect-error no such filter
  pages(client, "/units", { params: { query: { nope: 1 } } });
  // @ts-expect-error kind takes the contract's enum only
  pages(client, "/units", { params: { query: { kind: "ministry" } } });
}

// Bodies: wrong types and missing required properties are flagged; in an all-optional
// (merge patch) body an unknown property is flagged only with `satisfies` (see the README).
export async function bodies(): Promise<void> {
  // @ts-expect-error kind is required
  await client.POST("/units", { body: { code: "211100-090", name: "x" } });
  // @ts-expect-error shortName is a string or null
  await client.PATCH("/units/{id}", { params: { path: { id } }, body: { shortName: 5 } });
  // @ts-expect-error nmae is not a property of UnitPatch
  await client.PATCH("/units/{id}", { params: { path: { id } }, body: { nmae: "x" } satisfies Schema<"UnitPatch"> });
  await client.PATCH("/units/{id}", { params: { path: { id } }, body: { shortName: null } satisfies Schema<"UnitPatch"> });
}

// Errors: `error` of any call is a Problem whose `code` is one of that operation's codes.
export async function errors(): Promise<string | undefined> {
  const { error } = await client.GET("/units/{id}", { params: { path: { id } } });
  const code: OperationProblemCodes["getUnit"] | undefined = error?.code;
  // @ts-expect-error getUnit never answers unit_code_taken: the comparison does not compile
  if (error?.code === "unit_code_taken") return "impossible";
  const created = await client.POST("/units", { body: { code: "211100-090", name: "x", kind: "department" } });
  if (created.error?.code === "unit_code_taken") return "taken";
  return code;
}

// Problem codes are generated from components.x-problem-codes and each operation's
// x-problem-codes (with the shared responses' own).
export const codes: [
  Equal<ProblemCode, keyof typeof problemCodes>,
  Includes<ProblemCode, "not_found">,
  Includes<ProblemCode, "no_such_code">,
  Includes<OperationProblemCodes["createUnit"], "unit_code_taken">, // the operation's own, 409
  Includes<OperationProblemCodes["createUnit"], "unauthenticated">, // from components.responses.Unauthorized
  Includes<OperationProblemCodes["createUnit"], "internal">, // from components.responses.Unexpected
  Includes<OperationProblemCodes["createUnit"], "value_locked">,
  Equal<(typeof problemCodes)["not_found"], string>,
] = [true, true, false, true, true, true, false, false];
// @ts-expect-error not a code of the contract
export const noSuchCode: ProblemCode = "no_such_code";
export const meaning: string = problemCodes.not_found;

// 304 Not Modified: a GET of an operation that declares 304, sent with If-None-Match,
// answers NotModified (neither data nor error); without the header it cannot.
export async function conditional(etag: string): Promise<void> {
  const fresh = await client.GET("/units/{id}", { params: { path: { id } } });
  const conditional = await client.GET("/units/{id}", { params: { path: { id }, header: { "If-None-Match": etag } } });
  const list = await client.GET("/units", { headers: { "If-None-Match": etag } }); // listUnits declares no 304
  const types: [
    Equal<Extract<typeof fresh, NotModified>, never>,
    Equal<Extract<typeof conditional, NotModified>, NotModified>,
    Equal<Extract<typeof list, NotModified>, never>,
    Equal<Awaited<ReturnType<typeof must<typeof fresh>>>, Schema<"Unit">>,
    Equal<Awaited<ReturnType<typeof must<typeof conditional>>>, Schema<"Unit"> | NotModified>,
  ] = [true, true, true, true, true];
  void types;

  if (conditional.notModified) {
    const response: Response = conditional.response;
    // @ts-expect-error a 304 has no body
    const unit: Schema<"Unit"> = conditional.data;
    void response, unit;
  } else if (conditional.error === undefined) {
    const unit: Schema<"Unit"> = conditional.data;
    void unit;
  } else {
    const code: OperationProblemCodes["getUnit"] = conditional.error.code;
    void code;
  }
  // @ts-expect-error data is undefined on a 304: check notModified (or error) first
  const unchecked: Schema<"Unit"> = conditional.data;
  void unchecked;

  const unitOr304 = await must(client.GET("/units/{id}", { params: { path: { id }, header: { "If-None-Match": etag } } }));
  if (isNotModified(unitOr304)) {
    const status: number = unitOr304.response.status;
    void status;
  } else {
    const name: string = unitOr304.name;
    void name;
  }
  const unit: Schema<"Unit"> = await must(client.GET("/units/{id}", { params: { path: { id } } }));
  void unit;
}

// Files: the generator types a `format: binary` field as string, so an upload passes its
// FormData with a cast (openapi-fetch sends FormData as it is); a download asks for a Blob.
export async function files(file: File): Promise<Blob | undefined> {
  const form = new FormData();
  form.append("file", file);
  await client.POST("/indicator-values/{id}/attachments", {
    params: { path: { id } },
    body: form as unknown as Schema<"AttachmentUpload">,
  });
  const { data } = await client.GET("/attachments/{id}/content", { params: { path: { id } }, parseAs: "blob" });
  return data;
}
