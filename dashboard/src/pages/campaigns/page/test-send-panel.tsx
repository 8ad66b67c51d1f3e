// Send a test: a few addresses (checked as typed, kept as a draft), POST .../test, then the
// outcome per address, polled from GET .../tests/{testId} until a sender container has
// finished it. The API's refusals (no server, a template that does not render, the hourly
// limit) are shown above the form; a 400's details go on the field.
import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Button } from 'react-aria-components';
import { useForm } from 'react-hook-form';
import { dataOf } from '../../../api/api-call';
import { applyApiError, errorMessage } from '../../../api/api-error';
import type { components } from '../../../api/schema';
import { useSession } from '../../../api/session';
import { FormAlert } from '../../../components/form-alert';
import { FormTextField } from '../../../components/text-field';
import { clearDraft, readDraft, useDraft } from '../../../forms/drafts';
import { MAX_TEST_ADDRESSES, parseAddresses, testSendSchema, type TestSendValues } from './test-send-schema';

type TestSend = components['schemas']['TestSend'];
const POLL_MS = 1_000;

export function TestSendPanel({ campaignId }: { campaignId: number }) {
  const { api } = useSession();
  const draft = `campaign-test-${campaignId}`;
  const [alert, setAlert] = useState<string | null>(null);
  const [requested, setRequested] = useState<TestSend | null>(null);
  const form = useForm<TestSendValues>({
    mode: 'onTouched',
    resolver: zodResolver(testSendSchema),
    defaultValues: readDraft<TestSendValues>(draft, { addresses: '' }),
  });
  useDraft(draft, form.watch);

  const send = useMutation({
    mutationFn: async (values: TestSendValues) => {
      const { data, error, response } = await api.POST('/api/campaigns/{id}/test', {
        params: { path: { id: campaignId } },
        body: { addresses: parseAddresses(values.addresses) },
      });
      if (data) return data;
      // "addresses.2" names one address of the field: it goes on the field too.
      setAlert(applyApiError(onField(error), response, ['addresses'], form.setError));
      return null;
    },
    onSuccess: (test) => {
      if (!test) return;
      clearDraft(draft);
      setRequested(test);
    },
    onError: (err) => setAlert(errorMessage(err)),
  });

  const onSubmit = form.handleSubmit((values) => {
    setAlert(null);
    setRequested(null);
    // A failure is shown by onError; nothing is left to throw.
    return send.mutateAsync(values).catch(() => undefined);
  });

  return (
    <section className="panel" aria-labelledby="test-title">
      <h2 id="test-title">Send a test</h2>
      <form onSubmit={onSubmit} noValidate className="stack-form">
        <FormAlert message={alert} />
        <FormTextField
          control={form.control}
          name="addresses"
          label="Test addresses"
          rows={3}
          spellCheck={false}
          description={`Up to ${MAX_TEST_ADDRESSES}, separated by commas or new lines. The subject gets “[Test]”; nothing is counted in the results.`}
        />
        <Button type="submit" className="button secondary" isPending={send.isPending}>
          {send.isPending ? 'Sending test…' : 'Send test'}
        </Button>
      </form>
      {requested && <TestOutcome key={requested.id} requested={requested} />}
    </section>
  );
}

/** The API error with each `addresses.N` detail moved onto `addresses`. */
function onField(error: unknown): unknown {
  const body = error as { error?: { details?: { path: string; message: string }[] } } | undefined;
  const details = body?.error?.details;
  if (!details) return error;
  return { ...body, error: { ...body.error, details: details.map((d) => ({ ...d, path: d.path.split('.')[0] ?? d.path })) } };
}

function TestOutcome({ requested }: { requested: TestSend }) {
  const { api } = useSession();
  const test = useQuery({
    queryKey: ['campaign-test', requested.campaignId, requested.id],
    initialData: requested,
    queryFn: async () => {
      return dataOf(await api.GET('/api/campaigns/{id}/tests/{testId}', {
        params: { path: { id: requested.campaignId, testId: requested.id } },
      }));
    },
    refetchInterval: (query) => (query.state.data?.status === 'pending' ? POLL_MS : false),
  });
  const current = test.data;
  return (
    <div className="test-outcome" aria-live="polite">
      {test.isError && <FormAlert message={test.error.message} />}
      {current.status === 'pending' ? (
        <p role="status">Test requested for {current.addresses.join(', ')}; waiting for the sender…</p>
      ) : (
        <>
          <p role="status">{current.status === 'sent' ? 'Test sent to every address.' : 'The test did not reach every address.'}</p>
          <ul className="test-results" aria-label="Test results">
            {(current.results ?? []).map((result) => (
              <li key={result.address} className={result.ok ? 'ok' : 'failed'}>
                <strong>{result.address}</strong>: {result.ok ? 'sent' : 'not sent'}
                <span className="hint"> ({result.detail})</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
