// Suppress addresses by hand: one per line, each checked as the user types (the line of
// a mistake is named), with an optional note kept beside them.
import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from 'react-aria-components';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { errorMessage } from '../../api/api-error';
import { useSession } from '../../api/session';
import type { components } from '../../api/schema';
import { FormAlert } from '../../components/form-alert';
import { clearDraft, readDraft, useDraft } from '../../forms/drafts';
import { messageOf } from '../../api/api-call';
import { FormTextField } from '../../components/text-field';

type ErrorBody = components['schemas']['Error'];

/** edge/routes/suppressions.ts: MAX_SUPPRESSIONS_PER_CALL. */
const MAX_PER_CALL = 10_000;
const DRAFT = 'new-suppressions';
const EMPTY = { addresses: '', detail: '' };
const address = z.string().max(254).pipe(z.email());

/** The non-empty lines, each with its line number (1-based). */
export function addressLines(text: string): { line: number; email: string }[] {
  return text
    .split('\n')
    .map((raw, index) => ({ line: index + 1, email: raw.trim().toLowerCase() }))
    .filter((entry) => entry.email !== '');
}

const schema = z.object({
  addresses: z.string().superRefine((text, ctx) => {
    const lines = addressLines(text);
    if (lines.length === 0) ctx.addIssue({ code: 'custom', message: 'Enter at least one address, one per line' });
    if (lines.length > MAX_PER_CALL) ctx.addIssue({ code: 'custom', message: `At most ${MAX_PER_CALL} addresses at once; add the rest after` });
    const wrong = lines.filter((entry) => !address.safeParse(entry.email).success);
    if (wrong.length > 0) {
      const shown = wrong.slice(0, 3).map((w) => `line ${w.line} ("${w.email}")`).join(', ');
      ctx.addIssue({ code: 'custom', message: `Not an address like name@example.com: ${shown}${wrong.length > 3 ? ` and ${wrong.length - 3} more` : ''}` });
    }
  }),
  detail: z.string().trim().max(500, 'Use at most 500 characters'),
});
type Values = z.infer<typeof schema>;

/** The form above the list. */
export function AddSuppressionsForm() {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [alert, setAlert] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const form = useForm<Values>({ mode: 'onTouched', resolver: zodResolver(schema), defaultValues: readDraft(DRAFT, EMPTY) });
  useDraft(DRAFT, form.watch);

  const add = useMutation({
    mutationFn: async (values: Values) => {
      const lines = addressLines(values.addresses);
      const { data, error, response } = await api.POST('/api/suppressions', { body: { emails: lines.map((l) => l.email), ...(values.detail.trim() ? { detail: values.detail.trim() } : {}) } });
      if (data) return data;
      // `emails.3` is the fourth address: name its line.
      const details = (error as Partial<ErrorBody> | undefined)?.error?.details ?? [];
      const onLines = details.flatMap((d) => {
        const index = /^emails\.(\d+)$/.exec(d.path)?.[1];
        const entry = index === undefined ? undefined : lines[Number(index)];
        return entry ? [`line ${entry.line}: ${d.message}`] : [];
      });
      if (onLines.length > 0) form.setError('addresses', { type: 'server', message: onLines.join('; ') }, { shouldFocus: true });
      if (onLines.length < details.length || details.length === 0) setAlert(errorMessage(error, response));
      return null;
    },
    onSuccess(result) {
      if (!result) return;
      clearDraft(DRAFT);
      form.reset(EMPTY);
      setDone(`Suppressed ${result.added} address${result.added === 1 ? '' : 'es'}${result.alreadySuppressed ? `; ${result.alreadySuppressed} already were` : ''}.`);
      void queryClient.invalidateQueries({ queryKey: ['suppressions'] });
    },
    onError: (err) => setAlert(messageOf(err)),
  });

  const onSubmit = form.handleSubmit((values) => {
    setAlert(null);
    setDone(null);
    return add.mutateAsync(values);
  });

  return (
    <form className="panel stack" onSubmit={onSubmit} noValidate aria-labelledby="add-suppressions-title">
      <h2 id="add-suppressions-title">Suppress addresses</h2>
      <FormAlert message={alert} />
      <div className="form-grid">
        <FormTextField control={form.control} name="addresses" label="Addresses" rows={4} spellCheck={false} description="One per line. Edgepost never mails them, whatever list they are on." placeholder="name@example.com" />
        <FormTextField control={form.control} name="detail" label="Note" optional description='Why, for later: e.g. "asked by phone".' />
      </div>
      <div className="actions">
        <Button type="submit" className="button primary" isPending={add.isPending}>
          {add.isPending ? 'Suppressing…' : 'Suppress'}
        </Button>
        <span role="status">{done}</span>
      </div>
    </form>
  );
}
