// The driver-specific part of the sending-server form: one field per setting of the chosen
// driver, secrets write-only (the API says which are set, never their values), and the
// server's rate with its per-domain rates.
import { Button, Checkbox, CheckboxGroup, Label } from 'react-aria-components';
import { useController, useFieldArray, type Control, type Path } from 'react-hook-form';
import { FormTextField } from '../../components/text-field';
import { FormSelectField } from '../../components/select-field';
import { driverFields, isSecret, type DriverName, type SettingField } from './driver-fields';
import type { ServerFormValues } from './server-form-model';

interface Props {
  control: Control<ServerFormValues>;
  driver: DriverName;
  /** Secrets saved on the server (null while adding one). */
  secretsSet: readonly string[] | null;
}

function secretHint(field: SettingField, secretsSet: readonly string[] | null): string | undefined {
  if (!secretsSet) return field.description;
  const set = secretsSet.includes(field.path.slice('secrets.'.length));
  const state = set ? 'Set (never shown): leave empty to keep it, or type a new one.' : 'Not set.';
  return field.description ? `${state} ${field.description}` : state;
}

/** The chosen driver's settings. */
export function DriverSettingsFields({ control, driver, secretsSet }: Props) {
  const fields = driverFields[driver];
  if (fields.length === 0) return <p className="hint">This driver has no settings.</p>;
  return (
    <div className="form-grid">
      {fields.map((field) => {
        const name = field.path as Path<ServerFormValues>;
        const description = isSecret(field) ? secretHint(field, secretsSet) : field.description;
        // Saved secrets need not be typed again.
        const optional = field.optional || (isSecret(field) && secretsSet?.includes(field.path.slice('secrets.'.length))) || false;
        if (field.kind === 'select') {
          const options = (field.options ?? []).map((o) => ({ id: o, label: o }));
          return <FormSelectField key={field.path} control={control} name={name} label={field.label} description={description} optional={optional} options={options} />;
        }
        return (
          <div key={field.path} className={field.kind === 'secret-multiline' ? 'wide' : undefined}>
            <FormTextField
              control={control}
              name={name}
              label={field.label}
              description={description}
              optional={optional}
              type={field.kind === 'secret' ? 'password' : 'text'}
              rows={field.kind === 'secret-multiline' ? 5 : undefined}
              spellCheck={false}
              inputMode={field.kind === 'number' ? 'numeric' : undefined}
              placeholder={field.defaultValue}
            />
          </div>
        );
      })}
    </div>
  );
}

/** Checkboxes to forget saved optional secrets (a required one can only be replaced). */
export function RemoveSecretsField({ control, driver, secretsSet }: { control: Control<ServerFormValues>; driver: DriverName; secretsSet: readonly string[] }) {
  const { field } = useController({ control, name: 'removeSecrets' });
  const removable = driverFields[driver].filter((f) => isSecret(f) && f.optional && secretsSet.includes(f.path.slice('secrets.'.length)));
  if (removable.length === 0) return null;
  return (
    <CheckboxGroup className="stack" value={field.value} onChange={field.onChange}>
      <Label>Forget saved secrets</Label>
      {removable.map((f) => (
        <Checkbox key={f.path} value={f.path.slice('secrets.'.length)} className="checkbox">
          Remove the saved {f.label.toLowerCase()}
        </Checkbox>
      ))}
    </CheckboxGroup>
  );
}

/** The server's rate and its rates per recipient domain. */
export function RateFields({ control }: { control: Control<ServerFormValues> }) {
  const rows = useFieldArray({ control, name: 'domainRates' });
  return (
    <div className="stack">
      <FormTextField control={control} name="rate" label="Rate" optional description='Across every sender container, e.g. "50/s", "1000/min", "10000/day". Empty: unthrottled.' />
      <fieldset className="stack">
        <legend>Rates per recipient domain</legend>
        {rows.fields.length === 0 && <p className="hint">None: every domain shares the server's rate.</p>}
        {rows.fields.map((row, index) => (
          <div key={row.id} className="form-grid">
            <FormTextField control={control} name={`domainRates.${index}.domain`} label={`Domain ${index + 1}`} placeholder="gmail.com" />
            <FormTextField control={control} name={`domainRates.${index}.rate`} label={`Rate for domain ${index + 1}`} placeholder="20/min" />
            <Button className="button secondary small" onPress={() => rows.remove(index)} aria-label={`Remove domain rate ${index + 1}`}>
              Remove
            </Button>
          </div>
        ))}
        <div>
          <Button className="button secondary small" onPress={() => rows.append({ domain: '', rate: '' })}>
            Add a domain rate
          </Button>
        </div>
      </fieldset>
    </div>
  );
}
