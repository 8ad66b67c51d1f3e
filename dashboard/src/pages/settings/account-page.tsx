// Your account: who you are signed in as, and changing your own password
// (POST /api/users/me/password), which signs out your other sessions.
import { zodResolver } from '@hookform/resolvers/zod';
import { useMemo, useState } from 'react';
import { Button } from 'react-aria-components';
import { useForm } from 'react-hook-form';
import { applyApiError, errorMessage } from '../../api/api-error';
import { useSession } from '../../api/session';
import { FormAlert } from '../../components/form-alert';
import { FormTextField } from '../../components/text-field';
import { ROLE_DESCRIPTIONS, ROLE_NAMES, useSignedInUser } from './roles';
import { changePasswordSchema, type ChangePasswordValues } from './settings-schemas';

const EMPTY: ChangePasswordValues = { currentPassword: '', newPassword: '', confirmPassword: '' };

export function AccountPage() {
  const me = useSignedInUser();
  return (
    <>
      <section className="panel" aria-labelledby="account-title">
        <h2 id="account-title">Signed in as</h2>
        <dl className="settings-facts">
          <dt>Name</dt>
          <dd>{me.name || <span className="hint">(no name)</span>}</dd>
          <dt>Email</dt>
          <dd>{me.email}</dd>
          <dt>Role</dt>
          <dd>
            {ROLE_NAMES[me.role]}: {ROLE_DESCRIPTIONS[me.role].toLowerCase()}.
          </dd>
        </dl>
      </section>
      <ChangePasswordForm email={me.email} />
    </>
  );
}

// No draft: this form holds nothing but passwords, which are never kept.
function ChangePasswordForm({ email }: { email: string }) {
  const { api } = useSession();
  const [alert, setAlert] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const schema = useMemo(() => changePasswordSchema(email), [email]);
  const form = useForm<ChangePasswordValues>({ mode: 'onTouched', resolver: zodResolver(schema), defaultValues: EMPTY });

  const onSubmit = form.handleSubmit(async ({ currentPassword, newPassword }) => {
    setAlert(null);
    setDone(false);
    try {
      const { error, response } = await api.POST('/api/users/me/password', { body: { currentPassword, newPassword } });
      if (!response.ok) return setAlert(applyApiError(error, response, ['currentPassword', 'newPassword'], form.setError));
      form.reset(EMPTY);
      setDone(true);
    } catch (err) {
      setAlert(errorMessage(err));
    }
  });

  return (
    <form className="panel settings-narrow-form" onSubmit={onSubmit} noValidate aria-labelledby="password-title">
      <h2 id="password-title">Change your password</h2>
      <FormAlert message={alert} />
      <FormTextField control={form.control} name="currentPassword" label="Current password" type="password" autoComplete="current-password" />
      <FormTextField
        control={form.control}
        name="newPassword"
        label="New password"
        type="password"
        autoComplete="new-password"
        description="At least 12 characters, not your email address; a few unrelated words make a good one."
      />
      <FormTextField control={form.control} name="confirmPassword" label="New password again" type="password" autoComplete="new-password" />
      <div className="settings-form-end">
        <Button type="submit" className="button primary" isPending={form.formState.isSubmitting}>
          {form.formState.isSubmitting ? 'Changing…' : 'Change password'}
        </Button>
        <span role="status" className="hint">
          {done ? 'Password changed. Your other sessions were signed out; this one stays.' : ''}
        </span>
      </div>
    </form>
  );
}
