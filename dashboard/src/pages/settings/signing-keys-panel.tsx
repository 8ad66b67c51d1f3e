// The keys behind SECRET_KEY (GET /api/signing-keys: ids only) and how to rotate them, in
// the README's words ("Rotating SECRET_KEY"): the dashboard cannot change a key, the
// operator does, on every host.
import { useQuery } from '@tanstack/react-query';
import { dataOf } from '../../api/api-call';
import { useSession } from '../../api/session';
import { FormAlert } from '../../components/form-alert';

export function SigningKeysPanel() {
  const { api } = useSession();
  const keys = useQuery({
    queryKey: ['signing-keys'],
    queryFn: async () => dataOf(await api.GET('/api/signing-keys')),
  });

  return (
    <section className="panel" aria-labelledby="signing-keys-title">
      <h2 id="signing-keys-title">Signing keys</h2>
      <p className="hint">
        Every tracking and unsubscribe link, bounce address and stored relay secret is signed or sealed with a key derived from <code>SECRET_KEY</code>. Links carry the key's id, shown here; the keys themselves never leave the server.
      </p>
      {keys.isPending && <p role="status">Loading keys…</p>}
      {keys.isError && <FormAlert message={keys.error.message} />}
      {keys.data && (
        <dl className="settings-facts">
          <dt>Current key</dt>
          <dd>
            <code>{keys.data.currentKeyId}</code> signs everything new.
          </dd>
          <dt>Retired keys</dt>
          <dd>
            {keys.data.retiredKeyIds.length === 0 ? (
              'None: no rotation under way.'
            ) : (
              <>
                {keys.data.retiredKeyIds.map((id) => (
                  <code key={id} className="settings-key-id">
                    {id}
                  </code>
                ))}{' '}
                still open links and secrets made before the rotation (<code>SECRET_KEY_PREVIOUS</code>).
              </>
            )}
          </dd>
        </dl>
      )}
      <h3>Rotating SECRET_KEY</h3>
      <ol className="settings-steps">
        <li>
          Set the new <code>SECRET_KEY</code> and put the old one in <code>SECRET_KEY_PREVIOUS</code> on every part (the Node edge or the Worker:{' '}
          <code>wrangler secret put SECRET_KEY_PREVIOUS</code>; every sender container), then restart them. New mail uses the new key; links and bounces of mail
          already sent, and stored secrets, still open with the old one.
        </li>
        <li>
          Right away, run <code>npm run cli -- secrets rekey</code> with the same two variables (and <code>DATABASE_URL</code>): it seals every stored secret
          again under the new key, and names any row no key opens. Running it again changes nothing.
        </li>
        <li>
          Keep the old key in <code>SECRET_KEY_PREVIOUS</code> as long as links in mail already sent should work (unsubscribe links at least 30 days), then
          remove it. If the old key leaked, drop it at once instead: old links then answer 404.
        </li>
      </ol>
    </section>
  );
}
