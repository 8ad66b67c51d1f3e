// Saving the editor's campaign: POST for a new one, PATCH for an existing one, then on to
// its page. A refusal is shown where it belongs: problems in the body on their lines in the
// editor, other details on their fields, anything else above the form.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { Path, UseFormSetError } from 'react-hook-form';
import { useNavigate } from 'react-router';
import { applyApiError, errorMessage } from '../../../api/api-error';
import { useSession } from '../../../api/session';
import { clearDraft } from '../../../forms/drafts';
import { FORM_FIELDS, formFieldOf, toCampaignBody, type CampaignBody, type CampaignValues } from './campaign-form';
import type { PreviewProblem } from './compile-preview';

type ErrorBody = { error?: { code?: string; message?: string; details?: { path: string; message: string; line?: number }[] } };

// The API takes null for sendAt and trackingDomain (their defaults: "send when sent", "the
// install's domain"), but its OpenAPI document types both as plain strings.
type SentBody = Omit<CampaignBody, 'sendAt' | 'trackingDomain'> & { sendAt?: string; trackingDomain?: string };

/** The save, its message for the whole form, and what the API refused in which body. */
export function useSaveCampaign(campaignId: number | null, draftKey: string, setError: UseFormSetError<CampaignValues>) {
  const { api } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [alert, setAlert] = useState<string | null>(null);
  // The API's problems belong to the body it was sent; the editor drops them once it changes.
  const [refused, setRefused] = useState<{ body: string; problems: PreviewProblem[] }>({ body: '', problems: [] });

  function showRefusal(error: unknown, response: Response, sentBody: string): string | null {
    const details = (error as ErrorBody | undefined)?.error?.details ?? [];
    const inBody = details.filter((d) => d.path === 'body');
    setRefused({ body: sentBody, problems: inBody.map((d) => (d.line === undefined ? { message: d.message } : { line: d.line, message: d.message })) });
    const others = details.filter((d) => d.path !== 'body').map((d) => ({ ...d, path: formFieldOf(d.path) }));
    if (inBody.length > 0 && others.length === 0) return 'Not saved: the body has problems, listed under the editor.';
    const rest = { ...(error as ErrorBody), error: { ...(error as ErrorBody).error, details: others } };
    return applyApiError<CampaignValues>(rest, response, FORM_FIELDS as readonly Path<CampaignValues>[], setError);
  }

  const save = useMutation({
    mutationFn: async (values: CampaignValues) => {
      const body = toCampaignBody(values) as SentBody;
      const result =
        campaignId === null
          ? await api.POST('/api/campaigns', { body })
          : await api.PATCH('/api/campaigns/{id}', { params: { path: { id: campaignId } }, body });
      if (!result.data) {
        setAlert(showRefusal(result.error, result.response, values.body));
        return null;
      }
      return result.data;
    },
    onSuccess: (campaign) => {
      if (!campaign) return;
      clearDraft(draftKey);
      queryClient.setQueryData(['campaign', campaign.id], campaign);
      void queryClient.invalidateQueries({ queryKey: ['campaigns'] });
      navigate(`/campaigns/${campaign.id}`);
    },
    onError: (err) => setAlert(errorMessage(err)),
  });

  return { save, alert, setAlert, refused };
}
