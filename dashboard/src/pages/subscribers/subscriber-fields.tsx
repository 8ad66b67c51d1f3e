// The fields of a subscriber, shared by the add and edit screens: email, name, status and
// the attributes as key/value rows.
import { Button, FieldError, Input, Label, Radio, RadioGroup, Text, TextField } from 'react-aria-components';
import { useController, useFieldArray, useFormState, useWatch, type Control, type ControllerFieldState, type UseFormReturn } from 'react-hook-form';
import { FormTextField } from '../../components/text-field';
import type { SubscriberValues } from './subscriber-form';

/** Email, name, status and attributes, bound to the form. */
export function SubscriberFields({ form }: { form: UseFormReturn<SubscriberValues> }) {
  const status = useController({ control: form.control, name: 'status' });
  return (
    <>
      <FormTextField control={form.control} name="email" label="Email" type="email" autoComplete="off" />
      <FormTextField control={form.control} name="name" label="Name" optional />
      <RadioGroup className="radio-group" value={status.field.value} onChange={status.field.onChange} orientation="horizontal">
        <Label>Status</Label>
        <Radio value="active">Active</Radio>
        <Radio value="blocklisted">Blocklisted: never mailed</Radio>
      </RadioGroup>
      <AttributeRows control={form.control} />
    </>
  );
}

function AttributeRows({ control }: { control: Control<SubscriberValues> }) {
  const rows = useFieldArray({ control, name: 'attributes' });
  const { errors } = useFormState({ control, name: 'attributes' });
  // A rule about the rows together (size), or the API's 400 naming `attributes`.
  const arrayError = errors.attributes?.message ?? errors.attributes?.root?.message;
  return (
    <fieldset className="attribute-rows">
      <legend>Attributes</legend>
      <p className="hint">
        Used in templates as <code>{'{{ subscriber.attributes.city }}'}</code>.
      </p>
      {rows.fields.map((row, index) => (
        <div className="attribute-row" key={row.id}>
          <AttributeKey control={control} index={index} />
          <AttributeValue control={control} index={index} />
          <Button className="button secondary" onPress={() => rows.remove(index)} aria-label={`Remove attribute ${index + 1}`}>
            Remove
          </Button>
        </div>
      ))}
      {arrayError && <p className="field-error" role="alert">{arrayError}</p>}
      <Button className="button secondary" onPress={() => rows.append({ key: '', value: '', json: false }, { shouldFocus: true })}>
        Add attribute
      </Button>
    </fieldset>
  );
}

function AttributeKey({ control, index }: { control: Control<SubscriberValues>; index: number }) {
  const { field, fieldState } = useController({ control, name: `attributes.${index}.key` });
  const error = useShownError(control, fieldState);
  return (
    <TextField className="field" value={field.value} onChange={field.onChange} onBlur={field.onBlur} isInvalid={Boolean(error)} validationBehavior="aria">
      <Label>Attribute {index + 1}</Label>
      <Input ref={field.ref} />
      <FieldError>{error}</FieldError>
    </TextField>
  );
}

function AttributeValue({ control, index }: { control: Control<SubscriberValues>; index: number }) {
  const { field, fieldState } = useController({ control, name: `attributes.${index}.value` });
  const [key, json] = useWatch({ control, name: [`attributes.${index}.key`, `attributes.${index}.json`] });
  const error = useShownError(control, fieldState);
  return (
    <TextField className="field" value={field.value} onChange={field.onChange} onBlur={field.onBlur} isInvalid={Boolean(error)} validationBehavior="aria">
      <Label>Value of {key.trim() || `attribute ${index + 1}`}</Label>
      <Input ref={field.ref} />
      {json && <Text slot="description">JSON (a number, true or false, a list)</Text>}
      <FieldError>{error}</FieldError>
    </TextField>
  );
}

/**
 * A row's error once the user has left the field or tried to save: the field array checks
 * every row when one is added, and a new empty row should not open in red.
 */
function useShownError(control: Control<SubscriberValues>, fieldState: ControllerFieldState): string | undefined {
  const { isSubmitted } = useFormState({ control });
  return fieldState.isTouched || isSubmitted ? fieldState.error?.message : undefined;
}
