import type { JSX } from 'react';

import { Page } from '../ui';

/** Placeholder: the page is written in its own change. */
export function DeadLettersPage(): JSX.Element {
  return (
    <Page title="Dead letters">
      <p className="muted">Not built yet.</p>
    </Page>
  );
}
