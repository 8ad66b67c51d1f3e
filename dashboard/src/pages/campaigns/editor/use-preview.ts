// The preview follows the body as the marketer types: compiled once typing pauses, and
// only the latest answer kept (an older, slower compile never overwrites a newer one).
import { useEffect, useRef, useState } from 'react';
import type { BodyFormat, Preview } from './compile-preview';

const PAUSE_MS = 300;

export interface PreviewState {
  /** Null until the first compile has finished. */
  preview: Preview | null;
  /** True while the body shown differs from the one last compiled. */
  stale: boolean;
}

/** The preview of `body`, recompiled `PAUSE_MS` after it last changed. */
export function usePreview(format: BodyFormat, body: string, campaignName: string): PreviewState {
  const [state, setState] = useState<{ preview: Preview | null; of: string }>({ preview: null, of: '' });
  const latest = useRef(0);
  const key = `${format}\n${campaignName}\n${body}`;

  useEffect(() => {
    const run = ++latest.current;
    const timer = setTimeout(() => {
      import('./compile-preview')
        .then(({ compilePreview }) => compilePreview(format, body, campaignName))
        .then(
          (preview) => run === latest.current && setState({ preview, of: key }),
          (err: unknown) => run === latest.current && setState({ preview: { html: '', problems: [{ message: `The preview failed: ${String(err)}` }] }, of: key }),
        );
    }, PAUSE_MS);
    return () => clearTimeout(timer);
  }, [format, body, campaignName, key]);

  return { preview: state.preview, stale: state.of !== key };
}
