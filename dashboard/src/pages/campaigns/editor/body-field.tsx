// The body: its format, the code editor with its problems inline and listed under it, the
// merge tags, and the live preview beside it.
import type { EditorView } from '@codemirror/view';
import { useCallback, useMemo, useRef } from 'react';
import { Button, Label, Radio, RadioGroup } from 'react-aria-components';
import { useController, useWatch, type Control } from 'react-hook-form';
import { CodeEditor, insertAtCursor } from './code-editor';
import type { PreviewProblem } from './compile-preview';
import type { CampaignValues } from './campaign-form';
import { MergeTagsPanel } from './merge-tags-panel';
import { PreviewPane } from './preview-pane';
import { usePreview } from './use-preview';

interface BodyFieldProps {
  control: Control<CampaignValues>;
  /** What the API refused in the body on the last save; shown until the body changes. */
  serverProblems: PreviewProblem[];
}

const FORMAT_LABELS = { mjml: 'MJML', html: 'HTML', text: 'Plain text' } as const;

export function BodyField({ control, serverProblems }: BodyFieldProps) {
  const format = useController({ control, name: 'format' });
  const body = useController({ control, name: 'body' });
  const name = useWatch({ control, name: 'name' });
  const preview = usePreview(format.field.value, body.field.value, name);
  const view = useRef<EditorView | null>(null);
  const onView = useCallback((next: EditorView | null) => {
    view.current = next;
  }, []);

  const problems = useMemo(() => {
    const live = preview.preview?.problems ?? [];
    const seen = new Set(live.map((p) => `${p.line}:${p.message}`));
    return [...live, ...serverProblems.filter((p) => !seen.has(`${p.line}:${p.message}`))];
  }, [preview.preview, serverProblems]);
  const fieldError = body.fieldState.error?.message;

  function goToLine(line: number) {
    const editor = view.current;
    if (!editor) return;
    const target = editor.state.doc.line(Math.min(line, editor.state.doc.lines));
    editor.dispatch({ selection: { anchor: target.from }, scrollIntoView: true });
    editor.focus();
  }

  return (
    <fieldset className="panel editor-panel body-panel">
      <legend>Content</legend>
      <RadioGroup className="radio-group" value={format.field.value} onChange={format.field.onChange} orientation="horizontal">
        <Label>Format</Label>
        {(Object.keys(FORMAT_LABELS) as (keyof typeof FORMAT_LABELS)[]).map((key) => (
          <Radio key={key} value={key}>
            {FORMAT_LABELS[key]}
          </Radio>
        ))}
      </RadioGroup>
      <p className="hint">Switching the format keeps what you wrote; the preview and the checks follow the new format.</p>
      <div className="body-columns">
        <div className="body-editor">
          <h3 id="body-label">Body ({FORMAT_LABELS[format.field.value]})</h3>
          <CodeEditor
            format={format.field.value}
            value={body.field.value}
            onChange={body.field.onChange}
            onBlur={body.field.onBlur}
            labelledBy="body-label"
            describedBy={problems.length > 0 || fieldError ? 'body-problems' : undefined}
            problems={problems}
            onView={onView}
          />
          <div id="body-problems" aria-live="polite">
            {fieldError && <p className="field-error">{fieldError}</p>}
            {problems.length > 0 && (
              <ul className="problem-list" aria-label="Problems in the body">
                {problems.map((p) => (
                  <li key={`${p.line}:${p.message}`}>
                    {p.line ? (
                      <Button className="link-button" onPress={() => goToLine(p.line!)}>
                        Line {p.line}
                      </Button>
                    ) : null}{' '}
                    {p.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
          <MergeTagsPanel onInsert={(text) => view.current && insertAtCursor(view.current, text)} />
        </div>
        <PreviewPane state={preview} />
      </div>
    </fieldset>
  );
}
