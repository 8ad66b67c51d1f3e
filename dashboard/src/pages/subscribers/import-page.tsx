// Import a CSV file: choose it (read at once: its columns and first rows), map the columns,
// pick lists and what to do with existing subscribers, start. The job's own page then
// shows progress and the report.
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { Button, Checkbox, CheckboxGroup, Label, Link, Radio, RadioGroup, Text } from 'react-aria-components';
import { useNavigate, useSearchParams } from 'react-router';
import { useSession } from '../../api/session';
import { FormAlert } from '../../components/form-alert';
import { messageOf } from '../../api/api-call';
import { choicesFrom, mappingOf, mappingProblems, type ColumnChoice } from './column-choices';
import { ImportFilePicker } from './import-file-picker';
import { ColumnMapping } from './import-mapping';
import { RecentImports } from './recent-imports';
import { startImport, type ImportPreview, type ImportRequest } from './import-upload';
import { useLists } from './use-lists';

type Options = ImportRequest['options'];
type StatusChoice = 'optin' | NonNullable<Options['status']>;

export function ImportPage() {
  const [params] = useSearchParams();
  const [file, setFile] = useState<{ file: File; preview: ImportPreview; choices: ColumnChoice[] } | null>(null);
  const [listIds, setListIds] = useState<string[]>(params.get('list') ? [params.get('list')!] : []);
  const [existing, setExisting] = useState<Options['existing']>('update');
  const [status, setStatus] = useState<StatusChoice>('optin');
  return (
    <section aria-labelledby="page-title">
      <p className="breadcrumb"><Link href="/subscribers">Subscribers</Link></p>
      <h1 id="page-title">Import subscribers from a CSV file</h1>
      <div className="panel">
        <h2>1. The file</h2>
        <ImportFilePicker onRead={(chosen, preview) => setFile(chosen && preview ? { file: chosen, preview, choices: choicesFrom(preview) } : null)} />
      </div>
      {file && (
        <>
          <div className="panel">
            <h2>2. Its columns</h2>
            <ColumnMapping preview={file.preview} choices={file.choices} onChange={(choices) => setFile({ ...file, choices })} problems={mappingProblems(file.choices)} />
          </div>
          <div className="panel stacked-form">
            <h2>3. Lists and existing subscribers</h2>
            <ListChoice value={listIds} onChange={setListIds} />
            <RadioGroup className="radio-group" value={existing} onChange={(v) => setExisting(v as Options['existing'])}>
              <Label>Subscribers already here</Label>
              <Radio value="update">Update their name and attributes from the file</Radio>
              <Radio value="skip">Leave them as they are (they still join the lists)</Radio>
            </RadioGroup>
            <RadioGroup className="radio-group" value={status} onChange={(v) => setStatus(v as StatusChoice)}>
              <Label>New memberships</Label>
              <Radio value="optin">As each list's opt-in says (double opt-in: unconfirmed)</Radio>
              <Radio value="subscribed">Subscribed: they already agreed elsewhere</Radio>
              <Radio value="unconfirmed">Unconfirmed</Radio>
            </RadioGroup>
            <StartImport
              request={{
                file: file.file,
                listIds: listIds.map(Number),
                mapping: mappingOf(file.choices),
                options: { existing, delimiter: file.preview.delimiter, ...(status === 'optin' ? {} : { status }) },
              }}
              choices={file.choices}
            />
          </div>
        </>
      )}
      <RecentImports />
    </section>
  );
}

function ListChoice({ value, onChange }: { value: string[]; onChange(value: string[]): void }) {
  const lists = useLists();
  if (lists.isError) return <FormAlert message={lists.error.message} />;
  if (!lists.data) return <p role="status">Loading lists…</p>;
  if (lists.data.length === 0) return <p>No lists yet: the subscribers will be on none. <Link href="/lists">Create a list</Link> first to add them to one.</p>;
  return (
    <CheckboxGroup className="checkbox-group" value={value} onChange={onChange}>
      <Label>Add them to</Label>
      {lists.data.map((list) => (
        <Checkbox key={list.id} value={String(list.id)}>{list.name}</Checkbox>
      ))}
      <Text slot="description" className="hint">An existing membership (an unsubscribe too) is left as it is.</Text>
    </CheckboxGroup>
  );
}

function StartImport({ request, choices }: { request: ImportRequest; choices: ColumnChoice[] }) {
  const { api } = useSession();
  const navigate = useNavigate();
  const problems = mappingProblems(choices);
  const blocked = problems.overall !== null || Object.keys(problems.byColumn).length > 0;
  const start = useMutation({
    mutationFn: () => startImport(api, request),
    onSuccess: (job) => navigate(`/subscribers/imports/${job.id}`),
  });
  const error = start.error;
  return (
    <div className="start-import">
      {problems.overall && <p className="form-alert" role="alert">{problems.overall}</p>}
      {error && <FormAlert message={messageOf(error)} />}
      <Button className="button primary" isDisabled={blocked} isPending={start.isPending} onPress={() => start.mutate()}>
        {start.isPending ? 'Uploading…' : 'Start import'}
      </Button>
    </div>
  );
}
