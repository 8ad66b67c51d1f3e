// The body's code editor: CodeMirror 6 with MJML completion (lang-xml and an MJML schema),
// HTML highlighting for HTML bodies, plain text as it is, and the body's problems drawn as lint
// diagnostics on their lines. Tab moves focus on (it does not indent), so keyboard users
// are never trapped in the editor.
import { html } from '@codemirror/lang-html';
import { xml } from '@codemirror/lang-xml';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { EditorView } from '@codemirror/view';
import CodeMirror from '@uiw/react-codemirror';
import { useEffect, useMemo, useState } from 'react';
import type { BodyFormat, PreviewProblem } from './compile-preview';
import { mjmlSchema } from './mjml-schema';

interface CodeEditorProps {
  format: BodyFormat;
  value: string;
  onChange(value: string): void;
  onBlur(): void;
  /** Id of the element that labels the editor. */
  labelledBy: string;
  /** Id of the element that describes what is wrong, if anything. */
  describedBy?: string;
  problems: PreviewProblem[];
  /** Receives the editor once it exists, so merge tags can be inserted at its cursor. */
  onView(view: EditorView | null): void;
}

function languageOf(format: BodyFormat) {
  if (format === 'mjml') return [xml(mjmlSchema)];
  if (format === 'html') return [html()];
  return [];
}

/** Problems as diagnostics; one without a line marks the first line, so it is still seen. */
function toDiagnostics(view: EditorView, problems: PreviewProblem[]): Diagnostic[] {
  const { doc } = view.state;
  return problems.map((problem) => {
    const line = doc.line(Math.min(Math.max(problem.line ?? 1, 1), doc.lines));
    return { from: line.from, to: line.to, severity: 'error', message: problem.message, source: problem.line ? `line ${problem.line}` : 'body' };
  });
}

export function CodeEditor({ format, value, onChange, onBlur, labelledBy, describedBy, problems, onView }: CodeEditorProps) {
  const [view, setView] = useState<EditorView | null>(null);
  const extensions = useMemo(
    () => [
      ...languageOf(format),
      // Wrapped: the column is narrow beside the preview, and a long line should not hide its start.
      EditorView.lineWrapping,
      lintGutter(),
      EditorView.contentAttributes.of({ 'aria-labelledby': labelledBy, ...(describedBy ? { 'aria-describedby': describedBy } : {}) }),
      EditorView.domEventHandlers({ blur: () => void onBlur() }),
    ],
    [format, labelledBy, describedBy, onBlur],
  );

  useEffect(() => {
    if (view) view.dispatch(setDiagnostics(view.state, toDiagnostics(view, problems)));
  }, [view, problems]);

  useEffect(() => {
    onView(view);
    return () => onView(null);
  }, [view, onView]);

  return (
    <CodeMirror
      className="code-editor"
      value={value}
      onChange={onChange}
      extensions={extensions}
      height="28rem"
      indentWithTab={false}
      basicSetup={{ foldGutter: true, highlightActiveLine: true, autocompletion: true }}
      onCreateEditor={(created) => setView(created)}
    />
  );
}

/** Puts `text` in place of the editor's selection and leaves the cursor after it. */
export function insertAtCursor(view: EditorView, text: string): void {
  const { from, to } = view.state.selection.main;
  view.dispatch({ changes: { from, to, insert: text }, selection: { anchor: from + text.length }, scrollIntoView: true });
  view.focus();
}
