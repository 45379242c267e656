// The API client: generated types (schema.d.ts, from openapi.yaml) through
// openapi-fetch, with the host's bearer token on every request.

import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';
import { config } from '../config';

export type Schemas = components['schemas'];
export type Invite = Schemas['Invite'];
export type Member = Schemas['Member'];
export type Lookup = Schemas['Lookup'];
export type TeamLink = Schemas['TeamLink'];
export type TeamLinkLookup = Schemas['TeamLinkLookup'];
export type Domain = Schemas['Domain'];

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

const auth: Middleware = {
  async onRequest({ request }) {
    const token = await config().getToken();
    if (token) request.headers.set('authorization', `Bearer ${token}`);
    return request;
  },
};

/**
 * Reads the API answered 503 (busy: its store stayed throttled or
 * unreachable) are tried again after Retry-After, twice at most; writes are
 * not repeated behind the person's back, the screen says so instead
 * (`error.service_unavailable`).
 */
async function fetchRetryingReads(request: Request): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(request.clone());
    if (response.status !== 503 || request.method !== 'GET' || attempt >= 2) return response;
    const seconds = Math.min(Number(response.headers.get('retry-after')) || 1, 5);
    await new Promise((done) => setTimeout(done, seconds * 1000));
  }
}

export function api() {
  const client = createClient<paths>({ baseUrl: config().apiBaseUrl.replace(/\/$/, ''), fetch: fetchRetryingReads });
  client.use(auth);
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
