// A thin typed wrapper around openapi-fetch for the fazhi API.
//
// Every request and response type comes from ./schema.d.ts, which `npm run generate`
// writes from ../../openapi.yaml; nothing here restates the contract by hand except the
// two conventions every list and every error share (cursor paging and problem+json).

import createClient from "openapi-fetch";
import type { Client, ClientOptions, MaybeOptionalInit, Middleware } from "openapi-fetch";
import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };

/** A schema of the contract by name: `Schema<"Unit">`, `Schema<"IndicatorTree">`. */
export type Schema<Name extends keyof components["schemas"]> = components["schemas"][Name];

/** The RFC 9457 problem detail every error answers with (`application/problem+json`). */
export type Problem = components["schemas"]["Problem"];

/** The client `createFazhiClient` returns: openapi-fetch's, typed by the contract. */
export type FazhiClient = Client<paths>;

/**
 * Where the bearer token comes from: a session token from `login()` or an API key
 * (`fzk_…`). A function is asked before every request, so that a frontend can keep the
 * token in its own state and sign out by returning `undefined`.
 */
export type TokenSource = string | (() => string | undefined | Promise<string | undefined>);

export interface FazhiClientOptions extends Omit<ClientOptions, "baseUrl"> {
  /**
   * The API root including the base path, e.g. `http://localhost:8080/api/v1`, or
   * `/api/v1` in a browser page served by the same origin.
   */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>`; without one only `POST /auth/login` answers. */
  token?: TokenSource;
}

/**
 * An openapi-fetch client for the fazhi API. Calls answer `{ data, error, response }`:
 * `data` for a 2xx, `error` (a `Problem`) otherwise; use `problemOf()` or `FazhiError`
 * to handle the latter.
 *
 * Two conventions are applied to every request:
 * - `Authorization: Bearer <token>` when a token is given;
 * - a `PATCH` body goes as `application/merge-patch+json` (the only type the API's
 *   `PATCH` operations take), unless the call sets another `Content-Type` itself.
 */
export function createFazhiClient(options: FazhiClientOptions): FazhiClient {
  const { token, ...clientOptions } = options;
  const client = createClient<paths>(clientOptions);
  client.use(conventions(token));
  return client;
}

function conventions(token: TokenSource | undefined): Middleware {
  return {
    async onRequest({ request }) {
      const value = typeof token === "function" ? await token() : token;
      if (value !== undefined && value !== "") {
        request.headers.set("Authorization", `Bearer ${value}`);
      }
      // openapi-fetch labels every serialised body application/json.
      if (request.method === "PATCH" && request.headers.get("Content-Type") === "application/json") {
        request.headers.set("Content-Type", "application/merge-patch+json");
      }
      return request;
    },
  };
}

/**
 * Signs in with username and password (`POST /auth/login`) and answers the session
 * token, to pass as `token` to `createFazhiClient`. Throws a `FazhiError` when the API
 * refuses (`401` `unauthenticated` for a wrong password, `429` when locked out).
 */
export async function login(baseUrl: string, username: string, password: string): Promise<string> {
  const client = createFazhiClient({ baseUrl });
  const { data, error, response } = await client.POST("/auth/login", { body: { username, password } });
  if (data === undefined) {
    throw new FazhiError(response, error);
  }
  return data.token;
}

/** Whether a value (an openapi-fetch `error`, a parsed body) is a problem detail. */
export function isProblem(value: unknown): value is Problem {
  if (typeof value !== "object" || value === null) {
    return false;
  }
  const p = value as Record<string, unknown>;
  return (
    typeof p["type"] === "string" &&
    typeof p["title"] === "string" &&
    typeof p["status"] === "number" &&
    typeof p["code"] === "string"
  );
}

/**
 * A refused request. `code` is the problem's stable `code` (branch on it, never on
 * `message`); `problem` is the whole problem detail, undefined only when something
 * between the client and the API (a proxy, a gateway) answered with another body.
 */
export class FazhiError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  readonly problem: Problem | undefined;
  readonly requestId: string | undefined;
  readonly response: Response;

  constructor(response: Response, body: unknown) {
    const problem = isProblem(body) ? body : undefined;
    super(
      problem !== undefined
        ? `${problem.status} ${problem.code}: ${problem.detail ?? problem.title}`
        : `${response.status} ${response.statusText || "HTTP error"}`,
    );
    this.name = "FazhiError";
    this.status = response.status;
    this.problem = problem;
    this.code = problem?.code;
    this.requestId = problem?.requestId ?? response.headers.get("X-Request-Id") ?? undefined;
    this.response = response;
  }
}

/**
 * The result's data, or throws a `FazhiError` for its problem: for code that prefers
 * exceptions to checking `error` after every call.
 *
 *     const unit = await must(client.GET("/units/{id}", { params: { path: { id } } }));
 */
export async function must<T>(
  result: Promise<{ data: T; error?: never; response: Response } | { data?: never; error: unknown; response: Response }>,
): Promise<T> {
  const r = await result;
  if (r.error !== undefined || !r.response.ok) {
    throw new FazhiError(r.response, r.error);
  }
  return r.data as T;
}

// ---- cursor paging -------------------------------------------------------------

type GetPath = {
  [P in keyof paths]: paths[P] extends { get: object } ? P : never;
}[keyof paths];

/** The JSON a `GET` of this path answers with on 200. */
type OkBody<P extends GetPath> = paths[P] extends {
  get: { responses: { 200: { content: { "application/json": infer Body } } } };
}
  ? Body
  : never;

/** The query parameters of a `GET` of this path; never when it takes none. */
type Query<P extends GetPath> = paths[P] extends { get: { parameters: { query?: infer Q } } } ? NonNullable<Q> : never;

/**
 * The paths of every list operation: a `GET` that takes a `cursor` query parameter and
 * answers `{ items, nextCursor? }`. Computed from the contract, so a new list appears here
 * by regenerating.
 */
export type PagedPath = {
  [P in GetPath]: [Query<P>] extends [never]
    ? never
    : Query<P> extends { cursor?: string }
      ? "cursor" extends keyof Query<P>
        ? OkBody<P> extends { items: readonly unknown[]; nextCursor?: string }
          ? P
          : never
        : never
      : never;
}[GetPath];

/** One page of a list operation, e.g. `PageOf<"/units">` is `Schema<"UnitPage">`. */
export type PageOf<P extends PagedPath> = OkBody<P>;

/** One item of a list operation, e.g. `ItemOf<"/units">` is `Schema<"Unit">`. */
export type ItemOf<P extends PagedPath> = PageOf<P> extends { items: ReadonlyArray<infer Item> } ? Item : never;

/** What `client.GET(path, init)` takes for this path (`params.path`, `params.query`, …). */
export type PageInit<P extends PagedPath> = MaybeOptionalInit<paths[P], "get">;

/** `init` is required when the path has a required parameter (a path id, `with`, …). */
type PageArgs<P extends PagedPath> = undefined extends PageInit<P> ? [init?: PageInit<P>] : [init: PageInit<P>];

/** The loose shape the generic code below needs; the public signatures stay exact. */
type LooseInit = { params?: { query?: Record<string, unknown> } } & Record<string, unknown>;
type LooseGet = (path: string, init: LooseInit) => Promise<{ data?: unknown; error?: unknown; response: Response }>;

/**
 * Every page of a list, in order: requests the first page with `init` (its filters, sort
 * and `limit`; a `cursor` in it resumes from there), then follows `nextCursor` with the same
 * filters until the API gives none. A refused request throws a `FazhiError`.
 *
 *     for await (const page of pages(client, "/units", { params: { query: { limit: 100 } } })) {
 *       for (const unit of page.items) console.log(unit.code, unit.name);
 *     }
 */
export async function* pages<P extends PagedPath>(
  client: FazhiClient,
  path: P,
  ...[init]: PageArgs<P>
): AsyncGenerator<PageOf<P>, void, undefined> {
  const get = client.GET as unknown as LooseGet;
  const base = (init ?? {}) as LooseInit;
  let cursor = base.params?.query?.["cursor"];
  for (;;) {
    const query = { ...base.params?.query };
    if (cursor === undefined) {
      delete query["cursor"];
    } else {
      query["cursor"] = cursor;
    }
    const { data, error, response } = await get(path, { ...base, params: { ...base.params, query } });
    if (error !== undefined || !response.ok || data === undefined) {
      throw new FazhiError(response, error);
    }
    yield data as Awaited<PageOf<P>>;
    const next = (data as { nextCursor?: string }).nextCursor;
    if (next === undefined || next === "") {
      return;
    }
    if (next === cursor) {
      throw new Error(`fazhi: ${path} answered the cursor it was given; stopping rather than looping`);
    }
    cursor = next;
  }
}

/** Every item of a list, across pages: `pages()` flattened. */
export async function* items<P extends PagedPath>(
  client: FazhiClient,
  path: P,
  ...args: PageArgs<P>
): AsyncGenerator<ItemOf<P>, void, undefined> {
  for await (const page of pages(client, path, ...args)) {
    yield* (page as { items: ItemOf<P>[] }).items;
  }
}
