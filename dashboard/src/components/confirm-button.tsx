// A button that asks first, for what cannot be undone or starts something (delete, revoke,
// lift a suppression, send a campaign). The dialog stays open, its button pending, until the
// action settles, so a slow answer cannot be confirmed twice; a refusal or an error is shown
// in the dialog, which then stays open.
import { useState, type ReactNode } from 'react';
import { Button, DialogTrigger, Heading } from 'react-aria-components';
import { messageOf } from '../api/api-call';
import { FormAlert } from './form-alert';
import { ModalDialog } from './modal-dialog';

interface ConfirmButtonProps {
  /** The button that opens the dialog, e.g. "Delete". */
  label: string;
  /** An accessible name when the label alone is ambiguous (e.g. "Delete sink" in a table row). */
  ariaLabel?: string;
  title: string;
  children: ReactNode;
  /** The confirming button's text; `label` by default. */
  confirmLabel?: string;
  /** The button that closes the dialog; "Cancel" by default. */
  cancelLabel?: string;
  /** `danger` (the default) for what cannot be undone, `primary` for what starts something. */
  tone?: 'danger' | 'primary';
  /** A smaller opening button, for table rows. */
  small?: boolean;
  isDisabled?: boolean;
  /**
   * Runs on confirm. Resolving to a string shows it in the dialog as the refusal; throwing
   * shows the error's message; anything else closes the dialog.
   */
  onConfirm(): Promise<unknown>;
}

/** The opening button and its confirmation dialog. */
export function ConfirmButton({ label, ariaLabel, title, children, confirmLabel = label, cancelLabel = 'Cancel', tone = 'danger', small = false, isDisabled, onConfirm }: ConfirmButtonProps) {
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);

  async function confirm() {
    setPending(true);
    setRefusal(null);
    try {
      const answer = await onConfirm();
      if (typeof answer === 'string') setRefusal(answer);
      else setOpen(false);
    } catch (err) {
      setRefusal(messageOf(err));
    } finally {
      setPending(false);
    }
  }

  function openChange(next: boolean) {
    if (pending) return;
    setRefusal(null);
    setOpen(next);
  }

  const opener = `button ${tone === 'danger' ? 'secondary danger' : 'primary'}${small ? ' small' : ''}`;
  return (
    <DialogTrigger isOpen={open} onOpenChange={openChange}>
      <Button className={opener} aria-label={ariaLabel} isDisabled={isDisabled}>
        {label}
      </Button>
      <ModalDialog role="alertdialog" isDismissable={!pending}>
        <Heading slot="title">{title}</Heading>
        <div className="modal-body">{children}</div>
        <FormAlert message={refusal} />
        <div className="modal-actions">
          {/* Focus starts on the safe choice for what cannot be undone. */}
          <Button className="button secondary" onPress={() => openChange(false)} isDisabled={pending} autoFocus={tone === 'danger'}>
            {cancelLabel}
          </Button>
          <Button className={`button ${tone}`} onPress={confirm} isPending={pending} autoFocus={tone === 'primary'}>
            {confirmLabel}
          </Button>
        </div>
      </ModalDialog>
    </DialogTrigger>
  );
}
