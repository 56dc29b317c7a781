// A thin typed wrapper around openapi-fetch for the fazhi API.
//
// Every request and response type comes from ./schema.d.ts, which `npm run generate`
// writes from ../../openapi.yaml with openapi-typescript, and the problem codes from
// ./problem-codes.ts, which the same command writes from the contract's x-problem-codes.
// Nothing here restates the contract by hand except the conventions every list, every
// error and every conditional GET share (cursor paging, problem+json, 304).

import createClient from "openapi-fetch";
import type { Client, ClientOptions, ClientPathsWithMethod, FetchResponse, MaybeOptionalInit, Middleware } from "openapi-fetch";
import type { OperationProblemCodes, PathOperationIds, ProblemCode } from "./problem-codes.js";
import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };
export { problemCodes } from "./problem-codes.js";
export type { OperationProblemCodes, PathOperationIds, ProblemCode } from "./problem-codes.js";

/** A schema of the contract by name: `Schema<"Unit">`, `Schema<"IndicatorTree">`. */
export type Schema<Name extends keyof components["schemas"]> = components["schemas"][Name];

/**
 * The RFC 9457 problem detail every error answers with (`application/problem+json`), its
 * `code` narrowed from the contract's string to the codes it declares (`x-problem-codes`):
 * `Problem` for any code, `Problem<OperationProblemCodes["createUnit"]>` for one operation's.
 */
export interface Problem<Code extends string = ProblemCode> extends Omit<components["schemas"]["Problem"], "code"> {
  /** The stable machine word to branch on; `problemCodes[code]` says what it means. */
  code: Code;
}

/**
 * `paths` with each operation's problem bodies typed as `Problem<its codes>`, so that the
 * `error` of a call names only the codes that operation can answer with: a `case` for a
 * code it never sends does not compile.
 */
export type FazhiPaths = {
  [P in keyof paths]: {
    [M in keyof paths[P]]: P extends keyof PathOperationIds
      ? M extends keyof PathOperationIds[P]
        ? WithCodes<paths[P][M], OperationProblemCodes[PathOperationIds[P][M] & keyof OperationProblemCodes]>
        : paths[P][M]
      : paths[P][M];
  };
};

type WithCodes<Operation, Codes extends string> = {
  [K in keyof Operation]: K extends "responses"
    ? { [S in keyof Operation[K]]: ResponseWithCodes<Operation[K][S], Codes> }
    : Operation[K];
};

type ResponseWithCodes<ResponseObject, Codes extends string> = {
  [K in keyof ResponseObject]: K extends "content" ? ContentWithCodes<ResponseObject[K], Codes> : ResponseObject[K];
};

// Distributes over a naked parameter so that `content?: never` (a 204, a 304) stays never.
type ContentWithCodes<Content, Codes extends string> = Content extends object
  ? { [M in keyof Content]: M extends "application/problem+json" ? Problem<Codes> : Content[M] }
  : Content;

/**
 * What a conditional `GET` answers when the representation is unchanged: `304 Not
 * Modified`, with no body. Neither data nor an error: keep using the copy whose `ETag` you
 * sent in `If-None-Match`.
 */
export interface NotModified {
  notModified: true;
  data?: never;
  error?: never;
  /** The 304 response, with the current `ETag`. */
  response: Response;
}

/** Whether a result (of `client.GET` or of `must()`) is a `304 Not Modified`. */
export function isNotModified(value: unknown): value is NotModified {
  return typeof value === "object" && value !== null && (value as { notModified?: unknown }).notModified === true;
}

/**
 * The client `createFazhiClient` returns: openapi-fetch's, typed by the contract, with two
 * differences: every `error` is a `Problem` whose `code` is one of the operation's codes,
 * and `GET` can answer `NotModified` (see `GetResult`). Send conditional requests with
 * `GET`: `request("get", …)` is openapi-fetch's as it is, which reports a 304 as an error.
 */
export interface FazhiClient extends Omit<Client<FazhiPaths>, "GET"> {
  /** Call a GET endpoint; a `304` answers `{ notModified: true, response }`. */
  GET: FazhiGet;
}

type GetPath = ClientPathsWithMethod<Client<FazhiPaths>, "get">;
type MediaType = `${string}/${string}`;

type FazhiGet = <P extends GetPath, Init extends MaybeOptionalInit<FazhiPaths[P], "get">>(
  url: P,
  ...init: InitParam<Init>
) => Promise<GetResult<P, Init>>;

/**
 * What `client.GET(path, init)` answers: openapi-fetch's `{ data, error, response }`, plus
 * `NotModified` when the operation declares a `304` and `init` may send `If-None-Match`
 * (it sets `params.header["If-None-Match"]`, or passes raw `headers`, which the compiler
 * cannot see into). Branch on `notModified` first, then on `error`.
 */
export type GetResult<P extends GetPath, Init> =
  | (FetchResponse<FazhiPaths[P]["get"], Init, MediaType> & { notModified?: never })
  | (Answers304<P> extends true ? (MaySendIfNoneMatch<Init> extends true ? NotModified : never) : never);

type Answers304<P extends GetPath> = paths[P] extends { get: { responses: infer R } } ? (304 extends keyof R ? true : false) : false;

// Read through property lookups, not `Init extends { params?: { header?: … } }`: that
// shape is a weak type (all optional), which an init without `header` does not match.
type MaySendIfNoneMatch<Init> = [Property<Init, "headers">] extends [undefined]
  ? [Property<Property<Property<Init, "params">, "header">, "If-None-Match">] extends [undefined]
    ? false
    : true
  : true; // raw `headers`: the compiler cannot see whether they hold If-None-Match

/** `T[K]` for each member of the union `T`, `undefined` where the member has no `K`. */
type Property<T, K extends PropertyKey> = T extends unknown ? (K extends keyof T ? T[K] : undefined) : never;

// openapi-fetch's own rule for its methods' `init` (InitParam and RequiredKeysOf, which it
// does not export): optional when it has no required key; any extra key is allowed.
type InitParam<Init> =
  RequiredKeysOf<Init> extends never ? [(Init & { [key: string]: unknown })?] : [Init & { [key: string]: unknown }];
type RequiredKeysOfHelper<T> = { [K in keyof T]: {} extends Pick<T, K> ? never : K }[keyof T];
type RequiredKeysOf<T> = RequiredKeysOfHelper<T> extends undefined ? never : RequiredKeysOfHelper<T>;

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
 * `data` for a 2xx, `error` (a `Problem`) otherwise; a conditional `GET` answers
 * `{ notModified: true, response }` on `304`. `must()` and `FazhiError` turn errors into
 * exceptions for code that prefers them.
 *
 * Two conventions are applied to every request:
 * - `Authorization: Bearer <token>` when a token is given;
 * - a `PATCH` body goes as `application/merge-patch+json` (the only type the API's
 *   `PATCH` operations take), unless the call sets another `Content-Type` itself.
 */
export function createFazhiClient(options: FazhiClientOptions): FazhiClient {
  const { token, ...clientOptions } = options;
  const client = createClient<FazhiPaths>(clientOptions);
  client.use(conventions(token));
  // openapi-fetch counts a 304 as an error (it is not 2xx) whose body is "" or undefined;
  // answer it as what it is instead.
  const get = client.GET as unknown as LooseGet;
  const GET = async (path: string, init?: LooseInit) => {
    const result = await get(path, init);
    return result.response.status === 304 ? ({ notModified: true, response: result.response } satisfies NotModified) : result;
  };
  return { ...client, GET: GET as unknown as FazhiGet };
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

/**
 * Whether a value (an openapi-fetch `error`, a parsed body) is a problem detail. It checks
 * the shape, not that `code` is one this package knows: a newer server may add codes.
 */
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
  readonly code: ProblemCode | undefined;
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

/** Any result of the client's methods. */
type AnyResult = { data?: unknown; error?: unknown; notModified?: boolean; response: Response };

/** The type of `data` in the result's success variant (openapi-fetch's has `data` required). */
type DataOf<R> = R extends { data: infer Data } ? Data : never;

/**
 * The result's data, or throws a `FazhiError` for its problem: for code that prefers
 * exceptions to checking `error` after every call. A `304` is not an error: for a `GET`
 * that sends `If-None-Match`, `must()` answers the `NotModified` result (`isNotModified()`).
 *
 *     const unit = await must(client.GET("/units/{id}", { params: { path: { id } } }));
 */
export async function must<R extends AnyResult>(result: Promise<R>): Promise<DataOf<R> | Extract<R, NotModified>> {
  const r = await result;
  if (r.notModified === true) {
    return r as Extract<R, NotModified>;
  }
  if (r.error !== undefined || !r.response.ok) {
    throw new FazhiError(r.response, r.error);
  }
  return r.data as DataOf<R>;
}

// ---- cursor paging -------------------------------------------------------------

type ListablePath = {
  [P in keyof paths]: paths[P] extends { get: object } ? P : never;
}[keyof paths];

/** The JSON a `GET` of this path answers with on 200. */
type OkBody<P extends ListablePath> = paths[P] extends {
  get: { responses: { 200: { content: { "application/json": infer Body } } } };
}
  ? Body
  : never;

/** The query parameters of a `GET` of this path; never when it takes none. */
type Query<P extends ListablePath> = paths[P] extends { get: { parameters: { query?: infer Q } } } ? NonNullable<Q> : never;

/**
 * The paths of every list operation: a `GET` that takes a `cursor` query parameter and
 * answers `{ items, nextCursor? }`. Computed from the contract, so a new list appears here
 * by regenerating.
 */
export type PagedPath = {
  [P in ListablePath]: [Query<P>] extends [never]
    ? never
    : Query<P> extends { cursor?: string }
      ? "cursor" extends keyof Query<P>
        ? OkBody<P> extends { items: readonly unknown[]; nextCursor?: string }
          ? P
          : never
        : never
      : never;
}[ListablePath];

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
type LooseGet = (path: string, init?: LooseInit) => Promise<{ data?: unknown; error?: unknown; response: Response }>;

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
