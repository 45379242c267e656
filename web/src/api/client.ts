// The components' API client: the typed client (typed-client.ts) with the
// base URL and token the host gave `configure()`.

import { config } from '../config';
import { createInvitesClient, type Schemas } from './typed-client';

export { ApiError, ok, type Schemas } from './typed-client';
export type Invite = Schemas['Invite'];
export type Member = Schemas['Member'];
export type Lookup = Schemas['Lookup'];
export type TeamLink = Schemas['TeamLink'];
export type TeamLinkLookup = Schemas['TeamLinkLookup'];
export type Domain = Schemas['Domain'];

export function api() {
  return createInvitesClient({ baseUrl: config().apiBaseUrl, getToken: () => config().getToken() });
}
