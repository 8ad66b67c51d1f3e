// The campaign editor's form: every field, checked as the marketer types, kept as a draft
// in sessionStorage (an expired session returns to sign-in and then to this form, filled),
// and saved through useSaveCampaign.
import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { Button, Link } from 'react-aria-components';
import { useForm, useWatch, type Control } from 'react-hook-form';
import { FormAlert } from '../../../components/form-alert';
import { FormTextField } from '../../../components/text-field';
import { clearDraft, readDraft, useDraft } from '../../../forms/drafts';
import { AudienceFields } from './audience-fields';
import { BodyField } from './body-field';
import { campaignFormSchema, type CampaignValues } from './campaign-form';
import { SaveTemplateButton } from './save-template-dialog';
import { ScheduleFields, TrackingFields } from './schedule-fields';
import { useSaveCampaign } from './use-save-campaign';

interface CampaignFormProps {
  title: string;
  draftKey: string;
  defaults: CampaignValues;
  /** Null: a new campaign. */
  campaignId: number | null;
}

export function CampaignForm({ title, draftKey, defaults, campaignId }: CampaignFormProps) {
  const [notice, setNotice] = useState<string | null>(null);
  const [initial] = useState(() => readDraft(draftKey, defaults));
  // Unsaved changes from earlier in this tab (or from before a sign-in) come back; say so.
  const [restored, setRestored] = useState(() => JSON.stringify(initial) !== JSON.stringify(defaults));
  const form = useForm<CampaignValues>({ mode: 'onTouched', resolver: zodResolver(campaignFormSchema), defaultValues: initial });
  useDraft(draftKey, form.watch);
  const body = useWatch({ control: form.control, name: 'body' });
  const { save, alert, setAlert, refused } = useSaveCampaign(campaignId, draftKey, form.setError);

  const onSubmit = form.handleSubmit(
    (values) => {
      setAlert(null);
      return save.mutateAsync(values);
    },
    () => setAlert('Not saved yet: fix the fields marked below.'),
  );

  return (
    <section aria-labelledby="page-title" className="campaign-editor">
      <form onSubmit={onSubmit} noValidate>
        <div className="page-heading">
          <h1 id="page-title">{title}</h1>
          <div className="heading-actions">
            <Link href={campaignId === null ? '/campaigns' : `/campaigns/${campaignId}`} className="button secondary">
              Cancel
            </Link>
            <SaveTemplateButton values={() => form.getValues()} onSaved={(name) => setNotice(`Saved as template “${name}”.`)} />
            <Button type="submit" className="button primary" isPending={save.isPending}>
              {save.isPending ? 'Saving…' : 'Save draft'}
            </Button>
          </div>
        </div>
        <FormAlert message={alert} />
        {restored && (
          <RestoredNotice
            onDiscard={() => {
              clearDraft(draftKey);
              form.reset(defaults);
              setRestored(false);
            }}
          />
        )}
        <p role="status" className="notice">
          {notice}
        </p>
        <MessageFields control={form.control} />
        <BodyField control={form.control} serverProblems={refused.body === body ? refused.problems : []} />
        <AudienceFields control={form.control} />
        <ScheduleFields control={form.control} />
        <TrackingFields control={form.control} />
        <div className="form-footer">
          <Button type="submit" className="button primary" isPending={save.isPending}>
            {save.isPending ? 'Saving…' : 'Save draft'}
          </Button>
        </div>
      </form>
    </section>
  );
}

function RestoredNotice({ onDiscard }: { onDiscard(): void }) {
  return (
    <div className="restored">
      <p>Your unsaved changes from earlier are back.</p>
      <Button className="button secondary small" onPress={onDiscard}>
        Discard them
      </Button>
    </div>
  );
}

function MessageFields({ control }: { control: Control<CampaignValues> }) {
  return (
    <fieldset className="panel editor-panel message-fields">
      <legend>Message</legend>
      <FormTextField control={control} name="name" label="Campaign name" description="For you; recipients do not see it." />
      <FormTextField control={control} name="from" label="From" description="Acme News <news@acme.example>, or a bare address." />
      <FormTextField control={control} name="subject" label="Subject" description='Merge tags work here too, e.g. {{ subscriber.name | default: "friend" }}.' />
      <FormTextField control={control} name="preheader" label="Preheader" description="The line inboxes show after the subject (HTML bodies only)." optional />
    </fieldset>
  );
}
