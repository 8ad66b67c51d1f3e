// Setting a new password for a user who lost theirs (PATCH /api/users/{id} with `password`),
// in a React Aria modal dialog. It signs them out everywhere; the admin passes it on.
import { zodResolver } from '@hookform/resolvers/zod';
import { useMemo, useState } from 'react';
import { Button, DialogTrigger, Heading } from 'react-aria-components';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { applyApiError, errorMessage } from '../../api/api-error';
import type { components } from '../../api/schema';
import { useSession } from '../../api/session';
import { FormAlert } from '../../components/form-alert';
import { ModalFormActions } from '../../components/modal-form-actions';
import { ModalDialog } from '../../components/modal-dialog';
import { FormTextField } from '../../components/text-field';
import { passwordProblem } from './settings-schemas';

type User = components['schemas']['User'];
type Values = { password: string };

/** The button in a user's row, and its dialog. */
export function SetPasswordButton({ user }: { user: User }) {
  const [open, setOpen] = useState(false);
  return (
    <DialogTrigger isOpen={open} onOpenChange={setOpen}>
      <Button className="button secondary small" aria-label={`Set a password for ${user.email}`}>
        Set password
      </Button>
      <ModalDialog>
        <Heading slot="title">Set a password for {user.name || user.email}</Heading>
        <SetPasswordForm user={user} onDone={() => setOpen(false)} />
      </ModalDialog>
    </DialogTrigger>
  );
}

// No draft: the form holds only a password, which is never kept.
function SetPasswordForm({ user, onDone }: { user: User; onDone(): void }) {
  const { api } = useSession();
  const [alert, setAlert] = useState<string | null>(null);
  const schema = useMemo(
    () =>
      z.object({ password: z.string() }).superRefine((value, ctx) => {
        const problem = passwordProblem(value.password, user.email);
        if (problem) ctx.addIssue({ code: 'custom', path: ['password'], message: problem });
      }),
    [user.email],
  );
  const form = useForm<Values>({ mode: 'onTouched', resolver: zodResolver(schema), defaultValues: { password: '' } });

  const onSubmit = form.handleSubmit(async ({ password }) => {
    setAlert(null);
    try {
      const { error, response } = await api.PATCH('/api/users/{id}', { params: { path: { id: user.id } }, body: { password } });
      if (!response.ok) return setAlert(applyApiError(error, response, ['password'], form.setError));
      onDone();
    } catch (err) {
      setAlert(errorMessage(err));
    }
  });

  return (
    <form className="modal-form" onSubmit={onSubmit} noValidate>
      <p>{user.email} is signed out everywhere and signs in again with this password: pass it on to them safely.</p>
      <FormAlert message={alert} />
      <FormTextField control={form.control} name="password" label="New password" type="password" autoComplete="new-password" autoFocus description="At least 12 characters, not their email address." />
      <ModalFormActions label="Set password" pendingLabel="Setting…" pending={form.formState.isSubmitting} />
    </form>
  );
}
