// Adding a dashboard user (POST /api/users) with a role and a first password, which the
// admin passes on to them; the password follows the same rules as setup's.
import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from 'react-aria-components';
import { useController, useForm } from 'react-hook-form';
import { applyApiError, errorMessage } from '../../api/api-error';
import { useSession } from '../../api/session';
import { FormAlert } from '../../components/form-alert';
import { FormTextField } from '../../components/text-field';
import { clearDraft, readDraft, useDraft } from '../../forms/drafts';
import { RoleSelect } from './role-select';
import { type Role } from './roles';
import { newUserSchema, type NewUserValues } from './settings-schemas';

const DRAFT = 'settings-new-user';
const SECRET: (keyof NewUserValues)[] = ['password'];
const FIELDS = ['name', 'email', 'role', 'password'] as const;
const EMPTY: NewUserValues = { name: '', email: '', role: 'editor', password: '' };

/** The form; `actor` is the signed-in user's role (only an owner may add an owner). */
export function NewUserForm({ actor }: { actor: Role }) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [alert, setAlert] = useState<string | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const form = useForm<NewUserValues>({ mode: 'onTouched', resolver: zodResolver(newUserSchema), defaultValues: readDraft(DRAFT, EMPTY) });
  useDraft(DRAFT, form.watch, SECRET);
  const role = useController({ control: form.control, name: 'role' });

  const create = useMutation({
    mutationFn: async (values: NewUserValues) => {
      const { data, error, response } = await api.POST('/api/users', { body: values });
      if (!data) {
        setAlert(applyApiError(error, response, FIELDS, form.setError));
        return null;
      }
      return data;
    },
    onSuccess: (user) => {
      if (!user) return;
      form.reset(EMPTY);
      clearDraft(DRAFT);
      setAdded(`${user.email} can now sign in as ${user.role}, with the password you chose: pass it on to them safely.`);
      void queryClient.invalidateQueries({ queryKey: ['users'] });
    },
    onError: (err) => setAlert(errorMessage(err)),
  });

  const onSubmit = form.handleSubmit((values) => {
    setAlert(null);
    setAdded(null);
    return create.mutateAsync(values);
  });

  return (
    <form className="panel settings-grid-form" onSubmit={onSubmit} noValidate aria-labelledby="new-user-title">
      <h2 id="new-user-title">Add a user</h2>
      <FormAlert message={alert} />
      <FormTextField control={form.control} name="name" label="Name" optional autoComplete="off" />
      <FormTextField control={form.control} name="email" label="Email" type="email" autoComplete="off" />
      <RoleSelect label="Role" value={role.field.value} onChange={role.field.onChange} actor={actor} />
      <FormTextField
        control={form.control}
        name="password"
        label="First password"
        type="password"
        autoComplete="new-password"
        description="At least 12 characters, not their email address. They can change it under Your account."
      />
      <div className="settings-form-end">
        <Button type="submit" className="button primary" isPending={create.isPending}>
          {create.isPending ? 'Adding…' : 'Add user'}
        </Button>
        <span role="status" className="hint">
          {added}
        </span>
      </div>
    </form>
  );
}
