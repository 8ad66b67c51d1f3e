// The signing secret of an endpoint, shown once (on create and on rotation) with a copy
// button: the API never returns it again.
import { useState } from 'react';
import { Button } from 'react-aria-components';
import { formatTime } from '../../format';

interface SecretRevealProps {
  secret: string;
  previousSecretExpiresAt: string | null;
  onDismiss(): void;
}

/** The secret with a copy button and a "done" that hides it for good. */
export function SecretReveal({ secret, previousSecretExpiresAt, onDismiss }: SecretRevealProps) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('yes');
    } catch {
      // No clipboard (an insecure origin, or permission refused): the text can still be selected.
      setCopied('no');
    }
  }
  return (
    <section className="panel secret-once stack" aria-labelledby="secret-title">
      <h2 id="secret-title">Signing secret: copy it now</h2>
      <p>
        This is the only time Edgepost shows it. Your receiver verifies each delivery's <code>webhook-signature</code> with it (docs/webhooks.md).
      </p>
      <p>
        <code data-testid="webhook-secret">{secret}</code>
      </p>
      {previousSecretExpiresAt && <p>The previous secret also signs deliveries until {formatTime(previousSecretExpiresAt)}.</p>}
      <div className="actions">
        <Button className="button primary" onPress={copy}>
          Copy secret
        </Button>
        <Button className="button secondary" onPress={onDismiss}>
          I have saved it
        </Button>
        <span role="status">{copied === 'yes' ? 'Copied.' : copied === 'no' ? 'The browser refused to copy: select the secret and copy it yourself.' : ''}</span>
      </div>
    </section>
  );
}
