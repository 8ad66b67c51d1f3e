// First run: create the owner account, which signs them in.
import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { Button } from 'react-aria-components';
import { useForm } from 'react-hook-form';
import { Link, useNavigate } from 'react-router';
import { applyApiError, errorMessage } from '../api/api-error';
import { useSession } from '../api/session';
import { FormAlert } from '../components/form-alert';
import { FormTextField } from '../components/text-field';
import { clearDraft, readDraft, useDraft } from '../forms/drafts';
import { setupSchema, type SetupValues } from '../forms/schemas';

const DRAFT = 'setup';
const SECRET: (keyof SetupValues)[] = ['password'];

export function SetupPage() {
  const { api, signedIn } = useSession();
  const navigate = useNavigate();
  const [alert, setAlert] = useState<string | null>(null);
  const [alreadySetUp, setAlreadySetUp] = useState(false);
  const form = useForm<SetupValues>({
    mode: 'onTouched',
    resolver: zodResolver(setupSchema),
    defaultValues: readDraft(DRAFT, { name: '', email: '', password: '' }),
  });
  useDraft(DRAFT, form.watch, SECRET);

  const onSubmit = form.handleSubmit(async (values) => {
    setAlert(null);
    try {
      const { data, error, response } = await api.POST('/api/setup', { body: values });
      if (!data) {
        setAlreadySetUp(response.status === 409);
        return setAlert(applyApiError(error, response, ['name', 'email', 'password'], form.setError));
      }
      clearDraft(DRAFT);
      signedIn(data);
      navigate('/lists', { replace: true });
    } catch (err) {
      setAlert(errorMessage(err));
    }
  });

  return (
    <main className="auth-page" id="main">
      <form className="card" onSubmit={onSubmit} noValidate aria-labelledby="page-title">
        <h1 id="page-title">Set up Edgepost</h1>
        <p>Create the owner account. You can invite others once you are in.</p>
        <FormAlert message={alert} />
        {alreadySetUp && (
          <p>
            <Link to="/sign-in" reloadDocument>
              Go to sign-in
            </Link>
          </p>
        )}
        <FormTextField control={form.control} name="name" label="Your name" autoComplete="name" autoFocus optional />
        <FormTextField control={form.control} name="email" label="Email" type="email" autoComplete="username" />
        <FormTextField
          control={form.control}
          name="password"
          label="Password"
          type="password"
          autoComplete="new-password"
          description="At least 12 characters; a few unrelated words make a good one."
        />
        <Button type="submit" className="button primary" isPending={form.formState.isSubmitting}>
          {form.formState.isSubmitting ? 'Creating the owner…' : 'Create owner and sign in'}
        </Button>
      </form>
    </main>
  );
}
