// Sign-in: email and password; the API's own message for a wrong password or a lock-out.
import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { Button } from 'react-aria-components';
import { useForm } from 'react-hook-form';
import { useNavigate } from 'react-router';
import { applyApiError, errorMessage } from '../api/api-error';
import { useSession } from '../api/session';
import { FormAlert } from '../components/form-alert';
import { useNextPath } from '../components/session-gate';
import { FormTextField } from '../components/text-field';
import { clearDraft, readDraft, useDraft } from '../forms/drafts';
import { signInSchema, type SignInValues } from '../forms/schemas';

const DRAFT = 'sign-in';
const SECRET: (keyof SignInValues)[] = ['password'];

export function SignInPage() {
  const { api, signedIn } = useSession();
  const navigate = useNavigate();
  const next = useNextPath();
  const [alert, setAlert] = useState<string | null>(null);
  const form = useForm<SignInValues>({
    mode: 'onTouched',
    resolver: zodResolver(signInSchema),
    defaultValues: readDraft(DRAFT, { email: '', password: '' }),
  });
  useDraft(DRAFT, form.watch, SECRET);

  const onSubmit = form.handleSubmit(async (values) => {
    setAlert(null);
    try {
      const { data, error, response } = await api.POST('/api/session', { body: values });
      if (!data) return setAlert(applyApiError(error, response, ['email', 'password'], form.setError));
      clearDraft(DRAFT);
      signedIn(data);
      navigate(next, { replace: true });
    } catch (err) {
      setAlert(errorMessage(err));
    }
  });

  return (
    <main className="auth-page" id="main">
      <form className="card" onSubmit={onSubmit} noValidate aria-labelledby="page-title">
        <h1 id="page-title">Sign in to Edgepost</h1>
        <FormAlert message={alert} />
        <FormTextField control={form.control} name="email" label="Email" type="email" autoComplete="username" autoFocus />
        <FormTextField control={form.control} name="password" label="Password" type="password" autoComplete="current-password" />
        <Button type="submit" className="button primary" isPending={form.formState.isSubmitting}>
          {form.formState.isSubmitting ? 'Signing in…' : 'Sign in'}
        </Button>
        <p className="hint">
          Locked out? On the server, <code>npm run cli -- user create --email you@example.com --role owner</code> prints a new owner's password.
        </p>
      </form>
    </main>
  );
}
