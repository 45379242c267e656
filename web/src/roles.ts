// The deployment's roles (GET /v1/roles, from its role catalogue): their
// labels and descriptions in the page's language, and what the signed-in
// person's role may do and grant on a resource (the resource's `can` and
// `grants`). Read once per page; until then, and if the read fails, the
// built-in words of the default roles stand in (or the role's id).

import { html } from 'lit';
import { api, ok, type Schemas } from './api/client';
import { locale } from './config';
import { has, t, type I18nKey } from './i18n';

type Catalogue = Schemas['RoleCatalogue'];
export type Capability = Schemas['Capability'];
type Resource = Pick<Schemas['Resource'], 'can' | 'grants'>;

let catalogue: Catalogue | null = null;
let loading: Promise<void> | null = null;

/** Reads the catalogue once; resolves (never rejects) when it is known or the read failed. */
export function loadRoles(): Promise<void> {
  loading ??= ok(api().GET('/v1/roles')).then(
    (c) => void (catalogue = c),
    () => void (loading = null),
  );
  return loading;
}

function entry(id: string) {
  return id === 'owner' ? catalogue?.owner : catalogue?.roles.find((r) => r.id === id);
}

function words(w: Record<string, string> | undefined): string | undefined {
  return w?.[locale()] ?? w?.en;
}

/** The role an owner keeps after handing ownership over (the catalogue's; admin by default). */
export function formerOwnerRole(): string {
  return catalogue?.formerOwnerRole ?? 'admin';
}

/** A role's label in the page's language. */
export function roleLabel(id: string): string {
  return words(entry(id)?.label) ?? (has(`role.${id}`) ? t(`role.${id}` as I18nKey) : id);
}

/** What a role may do, as a sentence (the catalogue's phrase, capitalised). */
export function roleDescription(id: string): string {
  const d = words(entry(id)?.description) ?? (has(`role.${id}.desc`) ? t(`role.${id}.desc` as I18nKey) : '');
  return d.charAt(0).toLocaleUpperCase(locale()) + d.slice(1);
}

/** Whether the signed-in person's role may do `what` on the resource. */
export function can(resource: Resource | null | undefined, what: Capability): boolean {
  return resource?.can.includes(what) ?? false;
}

/** Whether they manage anything at all (the admin screen's tabs beyond Members). */
export function managesAnything(resource: Resource | null | undefined): boolean {
  return (resource?.can.length ?? 0) > 0;
}

/** The roles they may grant through `what`, lowest first (the first is the default choice). */
export function grantable(resource: Resource | null | undefined, what: Capability): string[] {
  return can(resource, what) ? [...(resource?.grants ?? [])].reverse() : [];
}

/** `<option>`s of these roles, `selected` chosen. */
export function roleOptions(roles: string[], selected?: string) {
  return roles.map((r) => html`<option value=${r} ?selected=${r === selected}>${roleLabel(r)}</option>`);
}

/** Whether holders of a role hand anything out (what they made stops when they lose it). */
export function roleManages(id: string): boolean {
  if (id === 'owner') return true;
  const handsOut: Capability[] = ['invite', 'manage_members', 'manage_team_links', 'manage_domains'];
  return catalogue?.roles.find((r) => r.id === id)?.can.some((c) => handsOut.includes(c)) ?? id === 'admin';
}
