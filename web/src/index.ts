// The embeddable components. A host app calls `configure({...})` once and
// places the elements: <invite-landing>, <invite-admin resource-id>,
// <my-invitations>, <my-resources>.
export { configure, type InvitesConfig } from './config';
export { InviteLanding, tokenFromLocation } from './components/invite-landing';
export { InviteAdmin } from './components/invite-admin';
export { MyInvitations, MyResources } from './components/my-invitations';
