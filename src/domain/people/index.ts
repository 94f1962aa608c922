export * from './errors.js';
export * from './invite-code.js';
export * from './invitations.js';
export * from './members.js';
export * from './reachability.js';
export * from './groups.js';
export * from './locale.js';
