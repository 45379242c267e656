import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { configure } from 'invites-components';

function App() {
  const [ready, setReady] = useState(false);
  useEffect(() => {
    fetch('/config.json')
      .then((r) => r.json())
      .then((cfg) => {
        configure({
          apiBaseUrl: cfg.apiBaseUrl,
          getToken: async () => null,
          signInUrl: '/login?next={returnTo}',
          resourceUrl: '/workspaces/{resourceId}',
          locale: 'en',
        });
        setReady(true);
      });
  }, []);
  return (
    <main style={{ maxWidth: '40rem', margin: '2rem auto', fontFamily: 'system-ui' }}>
      <header><strong>Acme workspace</strong></header>
      {/* React 19 passes properties and attributes to custom elements as they are. */}
      {ready && <invite-landing></invite-landing>}
    </main>
  );
}

createRoot(document.getElementById('root')).render(<App />);
