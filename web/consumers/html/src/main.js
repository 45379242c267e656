import { configure } from 'invites-components';

fetch('/config.json')
  .then((r) => r.json())
  .then((cfg) =>
    configure({
      apiBaseUrl: cfg.apiBaseUrl,
      getToken: async () => null, // this page shows the invitation before sign-in
      signInUrl: '/signin?returnTo={returnTo}',
      resourceUrl: '/projects/{resourceId}',
      locale: 'en',
    }),
  );
