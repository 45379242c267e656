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

export function api() {
  const client = createClient<paths>({ baseUrl: config().apiBaseUrl.replace(/\/$/, '') });
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
