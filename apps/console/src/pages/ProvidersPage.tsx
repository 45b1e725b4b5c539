import type { JSX } from 'react';

import { Page } from '../ui';

/** Placeholder: the page is written in its own change. */
export function ProvidersPage(): JSX.Element {
  return (
    <Page title="Providers">
      <p className="muted">Not built yet.</p>
    </Page>
  );
}
