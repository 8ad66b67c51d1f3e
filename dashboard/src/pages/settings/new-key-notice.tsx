// A key just created, shown this once (only its hash is stored): a copy button, and the
// warning that it cannot be shown again.
import { useRef, useState } from 'react';
import { Button } from 'react-aria-components';
import type { components } from '../../api/schema';

type NewApiKey = components['schemas']['NewApiKey'];

interface NewKeyNoticeProps {
  apiKey: NewApiKey;
  /** The user has kept the key: the form comes back. */
  onDone(): void;
}

export function NewKeyNotice({ apiKey, onDone }: NewKeyNoticeProps) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<string | null>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(apiKey.key);
      setCopied('Copied to the clipboard.');
    } catch {
      // No clipboard (an http origin that is not localhost, or permission refused): select it for Ctrl+C.
      input.current?.select();
      setCopied('Copying was refused by the browser: the key is selected, press Ctrl+C (⌘C on a Mac).');
    }
  }

  return (
    <section className="panel settings-new-key" aria-labelledby="created-key-title">
      <h2 id="created-key-title">Key “{apiKey.name}” created</h2>
      <p className="settings-warning" role="alert">
        Copy this key now and keep it somewhere safe: it is shown only this once. If it is lost, revoke it and create another.
      </p>
      <div className="settings-key-row">
        <label htmlFor="created-key" className="visually-hidden">
          The new API key
        </label>
        <input id="created-key" ref={input} className="settings-key-value" readOnly value={apiKey.key} onFocus={(event) => event.currentTarget.select()} spellCheck={false} />
        <Button className="button primary" onPress={copy}>
          Copy key
        </Button>
      </div>
      <p role="status" className="hint">
        {copied}
      </p>
      <Button className="button secondary" onPress={onDone}>
        I have saved the key
      </Button>
    </section>
  );
}
