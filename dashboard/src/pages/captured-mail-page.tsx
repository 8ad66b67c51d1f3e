// Captured mail: what the local capture inbox kept instead of sending (newest first), each
// downloadable as the .eml a relay would have received.
import { useInfiniteQuery } from '@tanstack/react-query';
import { Button } from 'react-aria-components';
import { dataOf } from '../api/api-call';
import { useSession } from '../api/session';
import { FormAlert } from '../components/form-alert';
import { formatTime } from '../format';

export function CapturedMailPage() {
  const { api } = useSession();
  const pages = useInfiniteQuery({
    queryKey: ['captured-messages'],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) => {
      const query = { limit: 50, ...(pageParam ? { cursor: pageParam } : {}) };
      return dataOf(await api.GET('/api/captured-messages', { params: { query } }));
    },
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Captured mail</h1>
      <p>With no relay configured, messages are built exactly as a relay would receive them and kept here instead of being sent.</p>
      {pages.isPending && <p role="status">Loading captured mail…</p>}
      {pages.isError && <FormAlert message={pages.error.message} />}
      {pages.data && pages.data.pages[0]?.data.length === 0 && <p>Nothing captured yet: send a campaign or a test through the Local capture inbox.</p>}
      {pages.data && (pages.data.pages[0]?.data.length ?? 0) > 0 && (
        <table className="table">
          <caption>Captured messages, newest first</caption>
          <thead>
            <tr>
              <th scope="col">To</th>
              <th scope="col">Subject</th>
              <th scope="col">Captured</th>
              <th scope="col" className="number">Size</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {pages.data.pages.flatMap((page) =>
              page.data.map((message) => (
                <tr key={message.id}>
                  <td>{message.to}</td>
                  <th scope="row">{message.subject}</th>
                  <td>{formatTime(message.createdAt)}</td>
                  <td className="number">{(message.size / 1024).toFixed(1)} KB</td>
                  <td>
                    <a href={`/api/captured-messages/${message.id}/raw`} download={`captured-${message.id}.eml`}>
                      Download .eml<span className="visually-hidden"> of “{message.subject}” to {message.to}</span>
                    </a>
                  </td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      )}
      {pages.hasNextPage && (
        <Button className="button secondary" onPress={() => pages.fetchNextPage()} isPending={pages.isFetchingNextPage}>
          Load more
        </Button>
      )}
    </section>
  );
}
