// Choosing the file to import, by button or by dropping it: checked in the browser (type,
// size), then read by the API's preview, whose complaint (not CSV, a quote never closed)
// is shown as it is.
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, DropZone, FileTrigger, Text } from 'react-aria-components';
import { messageOf } from '../../api/api-call';
import { useSession } from '../../api/session';
import { FormAlert } from '../../components/form-alert';
import { fileProblem, MAX_IMPORT_BYTES, previewImport, type ImportPreview } from './import-upload';

const ACCEPTED = ['.csv', '.tsv', '.txt', 'text/csv', 'text/plain', 'text/tab-separated-values'];

/** Reports the chosen file and its preview, or nulls when the choice failed. */
export function ImportFilePicker({ onRead }: { onRead(file: File | null, preview: ImportPreview | null): void }) {
  const { api } = useSession();
  const [problem, setProblem] = useState<string | null>(null);
  const [chosen, setChosen] = useState<File | null>(null);
  const preview = useMutation({
    mutationFn: (file: File) => previewImport(api, file),
    onSuccess: (result, file) => onRead(file, result),
    onError: (err) => {
      setProblem(messageOf(err));
      onRead(null, null);
    },
  });

  const choose = (file: File | undefined) => {
    if (!file) return;
    setChosen(file);
    const local = fileProblem(file);
    setProblem(local);
    if (local) return onRead(null, null);
    preview.mutate(file);
  };

  return (
    <>
      <DropZone
        className="drop-zone"
        aria-label="CSV file"
        onDrop={async (event) => {
          const item = event.items.find((i) => i.kind === 'file');
          if (item?.kind === 'file') choose(await item.getFile());
        }}
      >
        <FileTrigger acceptedFileTypes={ACCEPTED} onSelect={(files) => choose(files?.[0])}>
          <Button className="button secondary">Choose a CSV file…</Button>
        </FileTrigger>
        <Text slot="label">
          {chosen ? <strong>{chosen.name}</strong> : 'or drop one here.'}
          <br />
          A header line names the columns; comma, semicolon or tab separated; at most {MAX_IMPORT_BYTES / 1024 / 1024} MB.
        </Text>
      </DropZone>
      {preview.isPending && <p role="status">Reading {chosen?.name}…</p>}
      <FormAlert message={problem} />
    </>
  );
}
