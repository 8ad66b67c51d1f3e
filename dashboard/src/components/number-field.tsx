// A labelled whole-number input bound to react-hook-form, on React Aria's NumberField
// (arrow keys step the value; the label, help and error are wired for screen readers).
// No min/max here: clamping on blur would change the value silently, the schema says why instead.
import { FieldError, Input, Label, NumberField, Text } from 'react-aria-components';
import { useController, type Control, type FieldValues, type Path } from 'react-hook-form';

interface FormNumberFieldProps<T extends FieldValues> {
  control: Control<T>;
  name: Path<T>;
  label: string;
  description?: string;
  isReadOnly?: boolean;
}

/** A number field whose value, validity and error message come from the form. */
export function FormNumberField<T extends FieldValues>({ control, name, label, description, isReadOnly }: FormNumberFieldProps<T>) {
  const { field, fieldState } = useController({ control, name });
  return (
    <NumberField
      className="field number-field"
      name={field.name}
      value={field.value}
      onChange={field.onChange}
      onBlur={field.onBlur}
      isInvalid={fieldState.invalid}
      validationBehavior="aria"
      isReadOnly={isReadOnly}
      isRequired
      formatOptions={{ useGrouping: false }}
    >
      <Label>{label}</Label>
      <Input ref={field.ref} />
      {description && <Text slot="description">{description}</Text>}
      <FieldError>{fieldState.error?.message}</FieldError>
    </NumberField>
  );
}
