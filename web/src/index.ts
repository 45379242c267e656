// The embeddable components. A host app calls `configure({...})` once and
// places the elements: <invite-landing> (invite links and team links), <invite-admin resource-id>,
// <my-invitations>, <my-resources>.
export { configure, type InvitesConfig } from './config';
export { InviteLanding, linkFromLocation, tokenFromLocation } from './components/invite-landing';
export { TeamLinkLanding } from './components/team-link-landing';
export { InviteAdmin } from './components/invite-admin';
export { TeamLinks } from './components/team-links';
export { VerifiedDomains } from './components/verified-domains';
export { MyInvitations, MyResources } from './components/my-invitations';
