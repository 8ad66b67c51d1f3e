// A labelled drop-down on React Aria's Select (keyboard, typeahead, label, help and error
// wired for screen readers), either controlled by its caller or bound to react-hook-form.
import type { Key, Ref } from 'react';
import { Button, FieldError, Label, ListBox, ListBoxItem, Popover, Select, SelectValue, Text } from 'react-aria-components';
import { useController, type Control, type FieldValues, type Path } from 'react-hook-form';

export interface SelectOption {
  id: string;
  label: string;
  /** Shown under the label in the list (not in the closed field). */
  description?: string;
}

interface SelectFieldProps {
  label: string;
  options: readonly SelectOption[];
  /** null: nothing chosen yet (the placeholder shows). */
  value: string | null;
  onChange(value: string): void;
  onBlur?(): void;
  placeholder?: string;
  description?: string;
  error?: string;
  /** Shown with the label visually hidden (e.g. in a table row that already says what it is). */
  hideLabel?: boolean;
  isDisabled?: boolean;
  isRequired?: boolean;
  /** Options shown but not choosable. */
  disabledKeys?: readonly string[];
  /** Extra classes beside `field select-field`, for the layout around it. */
  className?: string;
  name?: string;
  buttonRef?: Ref<HTMLButtonElement>;
}

/** A single-choice drop-down whose value is one of `options`' ids. */
export function SelectField(props: SelectFieldProps) {
  const { label, options, value, onChange, onBlur, placeholder, description, error, hideLabel = false, isDisabled, isRequired, disabledKeys, className, name, buttonRef } = props;
  return (
    <Select
      className={className ? `field select-field ${className}` : 'field select-field'}
      name={name}
      value={value}
      placeholder={placeholder}
      onChange={(key: Key | null) => key !== null && onChange(String(key))}
      onBlur={onBlur}
      isInvalid={Boolean(error)}
      isDisabled={isDisabled}
      isRequired={isRequired}
      disabledKeys={disabledKeys}
      validationBehavior="aria"
    >
      <Label className={hideLabel ? 'visually-hidden' : 'react-aria-Label'}>{label}</Label>
      <Button className="select-button" ref={buttonRef}>
        {/* The option's label only: its description belongs in the list. */}
        <SelectValue>{({ isPlaceholder, selectedText, defaultChildren }) => (isPlaceholder ? defaultChildren : selectedText)}</SelectValue>
        <span aria-hidden="true">▾</span>
      </Button>
      {description && <Text slot="description">{description}</Text>}
      <FieldError>{error}</FieldError>
      <Popover className="select-popover">
        <ListBox items={options}>
          {(option) => (
            <ListBoxItem id={option.id} textValue={option.label}>
              {option.description ? (
                <>
                  <Text slot="label">{option.label}</Text>
                  <Text slot="description">{option.description}</Text>
                </>
              ) : (
                option.label
              )}
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </Select>
  );
}

interface FormSelectFieldProps<T extends FieldValues> {
  control: Control<T>;
  name: Path<T>;
  label: string;
  options: readonly SelectOption[];
  description?: string;
  /** Not required (the default is required). */
  optional?: boolean;
  isDisabled?: boolean;
}

/** A drop-down whose value (an option's id, '' for none), validity and error come from the form. */
export function FormSelectField<T extends FieldValues>({ control, name, label, options, description, optional = false, isDisabled }: FormSelectFieldProps<T>) {
  const { field, fieldState } = useController({ control, name });
  return (
    <SelectField
      name={field.name}
      label={label}
      options={options}
      value={(field.value as string | undefined) || null}
      onChange={field.onChange}
      onBlur={field.onBlur}
      buttonRef={field.ref}
      description={description}
      error={fieldState.error?.message}
      isRequired={!optional}
      isDisabled={isDisabled}
    />
  );
}
