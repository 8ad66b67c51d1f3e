// The buttons at the foot of a form in a modal dialog: Cancel (closes the dialog through React
// Aria's `close` slot) and the form's submit, pending while it saves.
import { Button } from 'react-aria-components';

interface ModalFormActionsProps {
  /** The submit button's words, e.g. "Save template". */
  label: string;
  /** Its words while the form saves, e.g. "Saving…". */
  pendingLabel: string;
  pending: boolean;
}

export function ModalFormActions({ label, pendingLabel, pending }: ModalFormActionsProps) {
  return (
    <div className="modal-actions">
      <Button className="button secondary" slot="close" isDisabled={pending}>
        Cancel
      </Button>
      <Button type="submit" className="button primary" isPending={pending}>
        {pending ? pendingLabel : label}
      </Button>
    </div>
  );
}
