import type { JSX } from 'react';

import { Page } from '../ui';

/** Placeholder: the page is written in its own change. */
export function RoutingPage(): JSX.Element {
  return (
    <Page title="Payment routing">
      <p className="muted">Not built yet.</p>
    </Page>
  );
}
