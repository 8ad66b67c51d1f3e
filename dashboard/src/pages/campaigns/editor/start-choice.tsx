// "New campaign" starts here: from a blank body in one of the formats, from a saved
// template, or back into the campaign the marketer was writing and has not saved.
import { useQuery } from '@tanstack/react-query';
import { Button } from 'react-aria-components';
import { useNavigate } from 'react-router';
import { errorMessage } from '../../../api/api-error';
import { useSession } from '../../../api/session';
import { FormAlert } from '../../../components/form-alert';
import { clearDraft, readDraft } from '../../../forms/drafts';

/** The draft key of the campaign being created (one at a time per tab). */
export const NEW_DRAFT = 'new-campaign';

const BLANKS = [
  { format: 'mjml', label: 'Blank MJML', what: 'Responsive email from MJML components' },
  { format: 'html', label: 'Blank HTML', what: 'Your own HTML' },
  { format: 'text', label: 'Blank plain text', what: 'Text only, no HTML part' },
] as const;

const FORMAT_NAMES = { mjml: 'MJML', html: 'HTML', text: 'Plain text' } as const;

export function StartChoice() {
  const { api } = useSession();
  const navigate = useNavigate();
  const templates = useQuery({
    queryKey: ['templates'],
    queryFn: async () => {
      const { data, error, response } = await api.GET('/api/templates', { params: { query: { limit: 200 } } });
      if (!data) throw new Error(errorMessage(error, response));
      return data.data;
    },
  });
  const unsaved = readDraft(NEW_DRAFT, { name: '', body: '' });
  // A fresh start replaces the unsaved campaign; only "Continue" keeps it.
  const start = (search: string) => {
    clearDraft(NEW_DRAFT);
    navigate({ search });
  };

  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">New campaign</h1>
      {unsaved.body && (
        <div className="panel start-continue">
          <p>
            You have an unsaved campaign{unsaved.name ? ` “${unsaved.name}”` : ''} from earlier in this tab.
          </p>
          <Button className="button primary" onPress={() => navigate({ search: '?start=draft' })}>
            Continue writing it
          </Button>
        </div>
      )}
      <div className="panel">
        <h2>Start from scratch</h2>
        <ul className="start-options">
          {BLANKS.map((blank) => (
            <li key={blank.format}>
              <Button className="button secondary" onPress={() => start(`?start=${blank.format}`)}>
                {blank.label}
              </Button>
              <span className="hint">{blank.what}</span>
            </li>
          ))}
        </ul>
      </div>
      <div className="panel">
        <h2>Start from a template</h2>
        {templates.isPending && <p role="status">Loading templates…</p>}
        {templates.isError && <FormAlert message={templates.error.message} />}
        {templates.data?.length === 0 && <p className="hint">No templates yet: “Save as template” in the editor keeps one for next time.</p>}
        {templates.data && templates.data.length > 0 && (
          <table className="table">
            <caption className="visually-hidden">Saved templates</caption>
            <thead>
              <tr>
                <th scope="col">Template</th>
                <th scope="col">Format</th>
                <th scope="col">Subject</th>
                <th scope="col">
                  <span className="visually-hidden">Use</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {templates.data.map((template) => (
                <tr key={template.id}>
                  <th scope="row">{template.name}</th>
                  <td>{FORMAT_NAMES[template.format]}</td>
                  <td>{template.subject || <span className="hint">none</span>}</td>
                  <td>
                    <Button className="button secondary small" onPress={() => start(`?template=${template.id}`)} aria-label={`Use template ${template.name}`}>
                      Use
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
