// React Aria's modal dialog (focus moves in and is trapped, Escape closes, focus returns to
// the button after) in the dashboard's one look. Put it in a DialogTrigger after its button.
import type { ReactNode } from 'react';
import { Dialog, ModalOverlay, Modal, type DialogRenderProps } from 'react-aria-components';

interface ModalDialogProps {
  children: ReactNode | ((opts: DialogRenderProps) => ReactNode);
  /** `alertdialog` for a question that interrupts (a confirmation). */
  role?: 'dialog' | 'alertdialog';
  /** Whether a click outside closes it (default true; false while something is pending). */
  isDismissable?: boolean;
}

/** The overlay, the modal box and the dialog inside it. */
export function ModalDialog({ children, role = 'dialog', isDismissable = true }: ModalDialogProps) {
  return (
    <ModalOverlay className="modal-overlay" isDismissable={isDismissable}>
      <Modal className="modal">
        <Dialog className="modal-dialog" role={role}>
          {children}
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}
