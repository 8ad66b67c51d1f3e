// "Export CSV" as a plain download link (the browser streams the file, however big), with
// the session checked first: a link alone would save the API's 401 body as the "CSV" once
// the session has ended, where everything else goes back to sign-in.
import type { MouseEvent } from 'react';
import { useSession } from '../../api/session';

/** The export link for `href` (GET /api/subscribers/export with the filter). */
export function ExportCsvLink({ href }: { href: string }) {
  const { api } = useSession();

  async function onClick(event: MouseEvent<HTMLAnchorElement>) {
    // Modified clicks (new tab, save as) stay the browser's.
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    try {
      // A 401 here reaches the client's hook, which sends the user to sign-in.
      const { response } = await api.GET('/api/session');
      if (!response.ok) return;
    } catch {
      // Unreachable: let the download itself fail where the browser shows it.
    }
    const download = document.createElement('a');
    download.href = href;
    download.download = '';
    document.body.append(download);
    download.click();
    download.remove();
  }

  return (
    <a href={href} className="button secondary" download onClick={(event) => void onClick(event)}>
      Export CSV
    </a>
  );
}
