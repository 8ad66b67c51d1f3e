// The mapping step: each column of the file with a few of its values, and what it becomes
// (the email, the name, an attribute, or nothing).
import { FieldError, Input, Label, TextField } from 'react-aria-components';
// The API's own naming of a column as an attribute (pure, Web-standard code).
import { attributeKeyOf } from '../../../../shared/csv/column-mapping';
import type { ColumnChoice, MappingProblems, Target } from './column-choices';
import type { ImportPreview } from './import-upload';
import { SelectField } from '../../components/select-field';

const TARGETS: { id: Target; label: string }[] = [
  { id: 'email', label: 'Email address' },
  { id: 'name', label: 'Name' },
  { id: 'attribute', label: 'Attribute' },
  { id: 'ignore', label: 'Ignore' },
];
const SAMPLES = 3;

interface ColumnMappingProps {
  preview: ImportPreview;
  choices: ColumnChoice[];
  onChange(choices: ColumnChoice[]): void;
  problems: MappingProblems;
}

/** The mapping table; the parent holds the choices and checks them. */
export function ColumnMapping({ preview, choices, onChange, problems }: ColumnMappingProps) {
  const update = (index: number, change: Partial<ColumnChoice>) => onChange(choices.map((c, i) => (i === index ? { ...c, ...change } : c)));
  return (
    <table className="table mapping-table">
      <caption>
        Columns of {preview.fileName || 'the file'}
        <span className="hint"> (read as {preview.encoding.toUpperCase()}, separated by {delimiterName(preview.delimiter)}). Several columns mapped to Name are joined with spaces.</span>
      </caption>
      <thead>
        <tr>
          <th scope="col">Column</th>
          <th scope="col">First values</th>
          <th scope="col">Becomes</th>
          <th scope="col">Attribute name</th>
        </tr>
      </thead>
      <tbody>
        {choices.map((choice, index) => (
          <tr key={choice.column}>
            <th scope="row">{choice.column}</th>
            <td className="samples">{samples(preview, index)}</td>
            <td>
              <SelectField
                label={`${choice.column} becomes`}
                hideLabel
                options={TARGETS}
                value={choice.target}
                onChange={(target) => update(index, { target: target as Target, key: choice.key || attributeKeyOf(choice.column) })}
              />
            </td>
            <td>
              {choice.target === 'attribute' && (
                <TextField
                  className="field"
                  value={choice.key}
                  onChange={(key) => update(index, { key })}
                  isInvalid={Boolean(problems.byColumn[choice.column])}
                  validationBehavior="aria"
                >
                  <Label className="visually-hidden">Attribute name for {choice.column}</Label>
                  <Input />
                  <FieldError>{problems.byColumn[choice.column]}</FieldError>
                </TextField>
              )}
              {choice.target !== 'attribute' && problems.byColumn[choice.column] && <p className="field-error">{problems.byColumn[choice.column]}</p>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function samples(preview: ImportPreview, index: number): string {
  const values = preview.rows.map((row) => row[index] ?? '').filter((v) => v !== '').slice(0, SAMPLES);
  return values.length > 0 ? values.join(', ') : '(empty)';
}

function delimiterName(delimiter: ImportPreview['delimiter']): string {
  return delimiter === ',' ? 'commas' : delimiter === ';' ? 'semicolons' : 'tabs';
}
