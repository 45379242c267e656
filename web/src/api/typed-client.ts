// The typed API client, on its own (the package's `invites-components/client`
// entry): openapi-fetch over the types generated from openapi.yaml, for
// backends and frontends that call the API directly. The components use it
// too, with the token `configure()` gives them.
//
//   import { createInvitesClient, ok } from 'invites-components/client';
//   const api = createInvitesClient({ baseUrl: 'https://api.example.com', getToken: async () => idToken });
//   const resource = await ok(api.POST('/v1/resources', { body: { name: 'Acme' } }));

import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type { components, paths };
export type Schemas = components['schemas'];

export interface ClientOptions {
  /** The API's base URL, e.g. https://abc123.execute-api.eu-central-1.amazonaws.com */
  baseUrl: string;
  /** The caller's bearer token (an ID token with e-mail claims), or null. */
  getToken?: () => Promise<string | null> | string | null;
  /** Another fetch (tests, SigV4 signing for the service routes). */
  fetch?: typeof fetch;
}

/** An API error: `{"error": {"code", "message"}}` with the status and any Retry-After. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
}

/**
 * Reads the API answered 503 (busy: its store stayed throttled or
 * unreachable) are tried again after Retry-After, twice at most; writes are
 * not repeated behind the caller's back.
 */
function retryingReads(inner: typeof fetch) {
  return async (request: Request): Promise<Response> => {
    for (let attempt = 0; ; attempt++) {
      const response = await inner(request.clone());
      if (response.status !== 503 || request.method !== 'GET' || attempt >= 2) return response;
      const seconds = Math.min(Number(response.headers.get('retry-after')) || 1, 5);
      await new Promise((done) => setTimeout(done, seconds * 1000));
    }
  };
}

export function createInvitesClient(options: ClientOptions): Client<paths> {
  const client = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/$/, ''),
    fetch: retryingReads(options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init))),
  });
  const { getToken } = options;
  if (getToken) {
    const auth: Middleware = {
      async onRequest({ request }) {
        const token = await getToken();
        if (token) request.headers.set('authorization', `Bearer ${token}`);
        return request;
      },
    };
    client.use(auth);
  }
  return client;
}

/** The data of a response, or an ApiError. */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result;
  try {
    result = await call;
  } catch {
    throw new ApiError(0, 'network', 'network error');
  }
  const { data, error, response } = result;
  if (response.ok) return data as T;
  const body = (error ?? {}) as { error?: { code?: string; message?: string } };
  const retry = response.headers.get('retry-after');
  throw new ApiError(
    response.status,
    body.error?.code ?? `http_${response.status}`,
    body.error?.message ?? response.statusText,
    retry ? Number(retry) : null,
  );
}
