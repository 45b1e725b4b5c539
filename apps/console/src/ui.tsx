import type { JSX, ReactNode } from 'react';

/** A page: its title as the one `<h1>`, inside `<main>`. */
export function Page({ title, children }: { title: string; children?: ReactNode }): JSX.Element {
  return (
    <main id="main" className="page">
      <h1>{title}</h1>
      {children}
    </main>
  );
}

/** An error the operator must see: announced by screen readers as it appears. */
export function ErrorNote({ text }: { text: string }): JSX.Element {
  return (
    <p role="alert" className="error-note">
      {text}
    </p>
  );
}

export function Loading(): JSX.Element {
  return (
    <p role="status" className="muted">
      Loading…
    </p>
  );
}

/** Props of a wrapper that lets a wide table scroll sideways on a narrow screen, reachable by keyboard. */
export const scrollRegion = {
  className: 'table-wrap',
  tabIndex: 0,
  role: 'region',
  'aria-label': 'Table (scrolls sideways)',
} as const;
