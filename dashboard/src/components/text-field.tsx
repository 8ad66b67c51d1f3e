// A labelled text input (or text area) bound to react-hook-form, built on React Aria's
// TextField (label, description and error wired to the control for screen readers).
import { FieldError, Input, Label, Text, TextArea, TextField } from 'react-aria-components';
import { useController, type Control, type FieldValues, type Path } from 'react-hook-form';

interface FormTextFieldProps<T extends FieldValues> {
  control: Control<T>;
  name: Path<T>;
  label: string;
  /** Help shown under the input. */
  description?: string;
  type?: 'text' | 'email' | 'password' | 'url';
  /** A text area of this many rows instead of a one-line input. */
  rows?: number;
  placeholder?: string;
  /** A password field defaults to `new-password`, so the browser never fills in the user's own. */
  autoComplete?: string;
  autoFocus?: boolean;
  inputMode?: 'numeric' | 'text';
  /** Off for addresses, hosts and keys, where the browser's spell check only adds noise. */
  spellCheck?: boolean;
  /** Not required (the default is required). */
  optional?: boolean;
}

/** A text field whose value, validity and error message come from the form. */
export function FormTextField<T extends FieldValues>(props: FormTextFieldProps<T>) {
  const { control, name, label, description, type = 'text', rows, placeholder, autoComplete, autoFocus, inputMode, spellCheck, optional = false } = props;
  const { field, fieldState } = useController({ control, name });
  return (
    <TextField
      className="field"
      name={field.name}
      value={(field.value as string | undefined) ?? ''}
      onChange={field.onChange}
      onBlur={field.onBlur}
      isInvalid={fieldState.invalid}
      validationBehavior="aria"
      type={rows ? undefined : type}
      autoComplete={autoComplete ?? (type === 'password' ? 'new-password' : undefined)}
      autoFocus={autoFocus}
      isRequired={!optional}
    >
      <Label>{label}</Label>
      {rows ? (
        <TextArea ref={field.ref} rows={rows} placeholder={placeholder} spellCheck={spellCheck} />
      ) : (
        <Input ref={field.ref} placeholder={placeholder} inputMode={inputMode} spellCheck={spellCheck} />
      )}
      {description && <Text slot="description">{description}</Text>}
      <FieldError>{fieldState.error?.message}</FieldError>
    </TextField>
  );
}
