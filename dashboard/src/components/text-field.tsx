// A labelled text input bound to react-hook-form, built on React Aria's TextField (label,
// description and error wired to the input for screen readers).
import { FieldError, Input, Label, Text, TextField } from 'react-aria-components';
import { useController, type Control, type FieldValues, type Path } from 'react-hook-form';

interface FormTextFieldProps<T extends FieldValues> {
  control: Control<T>;
  name: Path<T>;
  label: string;
  /** Help shown under the input. */
  description?: string;
  type?: 'text' | 'email' | 'password';
  autoComplete?: string;
  autoFocus?: boolean;
  /** Not required (the default is required). */
  optional?: boolean;
}

/** A text field whose value, validity and error message come from the form. */
export function FormTextField<T extends FieldValues>({ control, name, label, description, type = 'text', autoComplete, autoFocus, optional = false }: FormTextFieldProps<T>) {
  const { field, fieldState } = useController({ control, name });
  return (
    <TextField
      className="field"
      name={field.name}
      value={field.value ?? ''}
      onChange={field.onChange}
      onBlur={field.onBlur}
      isInvalid={fieldState.invalid}
      validationBehavior="aria"
      type={type}
      autoComplete={autoComplete}
      autoFocus={autoFocus}
      isRequired={!optional}
    >
      <Label>{label}</Label>
      <Input ref={field.ref} />
      {description && <Text slot="description">{description}</Text>}
      <FieldError>{fieldState.error?.message}</FieldError>
    </TextField>
  );
}
