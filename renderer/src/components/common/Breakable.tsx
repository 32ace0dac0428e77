import { Fragment } from 'react';

/**
 * Text that wraps at its natural joints — after '.', '/', '_', '-', ':', '=' and
 * ',' — rather than mid-word: `boxscope.credential.source` breaks after a dot.
 * A run longer than the column (a hex id) still wraps (CSS overflow-wrap), only then.
 */
export function Breakable({ text }: { text: string }) {
  if (text.length < 16) return <>{text}</>;
  const parts = text.split(/(?<=[./_:=,-])/);
  return (
    <>
      {parts.map((p, k) => (
        <Fragment key={k}>
          {p}
          {k < parts.length - 1 && <wbr />}
        </Fragment>
      ))}
    </>
  );
}
