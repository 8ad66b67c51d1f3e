// "Save as template": the editor's format, subject, preheader and body kept under a name,
// for later campaigns to start from (POST /api/templates).
import { zodResolver } from '@hookform/resolvers/zod';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, DialogTrigger, Heading } from 'react-aria-components';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { applyApiError, errorMessage } from '../../../api/api-error';
import { useSession } from '../../../api/session';
import { FormAlert } from '../../../components/form-alert';
import { ModalFormActions } from '../../../components/modal-form-actions';
import { ModalDialog } from '../../../components/modal-dialog';
import { FormTextField } from '../../../components/text-field';
import type { CampaignValues } from './campaign-form';

const templateNameSchema = z.object({ name: z.string().trim().min(1, 'Give the template a name').max(200, 'Use at most 200 characters') });
type TemplateNameValues = z.infer<typeof templateNameSchema>;

interface SaveTemplateProps {
  /** The editor's current values, read when the marketer saves. */
  values(): CampaignValues;
  /** Tells the editor the template was saved (its name), for a status message. */
  onSaved(name: string): void;
}

export function SaveTemplateButton({ values, onSaved }: SaveTemplateProps) {
  return (
    <DialogTrigger>
      <Button className="button secondary">Save as template</Button>
      <ModalDialog>{({ close }) => <SaveTemplateForm values={values} onSaved={(name) => (onSaved(name), close())} />}</ModalDialog>
    </DialogTrigger>
  );
}

function SaveTemplateForm({ values, onSaved }: SaveTemplateProps) {
  const { api } = useSession();
  const queryClient = useQueryClient();
  const [alert, setAlert] = useState<string | null>(null);
  const form = useForm<TemplateNameValues>({ mode: 'onTouched', resolver: zodResolver(templateNameSchema), defaultValues: { name: values().name } });

  const save = useMutation({
    mutationFn: async ({ name }: TemplateNameValues) => {
      const { format, subject, preheader, body } = values();
      const { data, error, response } = await api.POST('/api/templates', { body: { name, format, subject, preheader, body } });
      if (!data) {
        setAlert(applyApiError(error, response, ['name'], form.setError));
        return null;
      }
      return data;
    },
    onSuccess: (template) => {
      if (!template) return;
      void queryClient.invalidateQueries({ queryKey: ['templates'] });
      onSaved(template.name);
    },
    onError: (err) => setAlert(errorMessage(err)),
  });

  const onSubmit = form.handleSubmit((v) => {
    setAlert(null);
    return save.mutateAsync(v);
  });

  return (
    // The dialog renders in a portal, but React bubbles its submit to the editor's form: stop it here.
    <form onSubmit={(e) => (e.stopPropagation(), void onSubmit(e))} noValidate className="modal-form">
      <Heading slot="title">Save as template</Heading>
      <p className="hint">Keeps the format, subject, preheader and body; lists, servers and schedule stay with the campaign.</p>
      <FormAlert message={alert} />
      <FormTextField control={form.control} name="name" label="Template name" autoFocus />
      <ModalFormActions label="Save template" pendingLabel="Saving…" pending={save.isPending} />
    </form>
  );
}
