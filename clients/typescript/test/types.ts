// Type tests, compiled by `npm run check` and never run: each `@ts-expect-error` must
// meet an error and each `true` must be provable, or tsc fails.

import { createFazhiClient, items, pages } from "../src/index.js";
import type { ItemOf, PageOf, PagedPath, Problem, Schema } from "../src/index.js";

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
  Equal<Problem, Schema<"Problem">>,
] = [true, true, true, true];

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

// Errors: `error` of any call is the Problem, with its `code`.
export async function errors(): Promise<string | undefined> {
  const { error } = await client.GET("/units/{id}", { params: { path: { id } } });
  return error?.code;
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
