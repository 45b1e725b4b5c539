import type { JSX } from 'react';

import { Page } from '../ui';

/** Placeholder: the page is written in its own change. */
export function MessagesPage(): JSX.Element {
  return (
    <Page title="Messages">
      <p className="muted">Not built yet.</p>
    </Page>
  );
}
