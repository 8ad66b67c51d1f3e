// Who the campaign goes to and how it leaves: lists (checkboxes), and the sending servers,
// either the default one at send time or chosen ones in failover order, each with a weight.
import { useQuery } from '@tanstack/react-query';
import { Button, Checkbox, CheckboxGroup, FieldError, Group, Input, Label, NumberField, Radio, RadioGroup, Text } from 'react-aria-components';
import { useController, useFormState, type Control } from 'react-hook-form';
import { allListsQuery, allSendingServersQuery } from '../../../api/picker-queries';
import { useSession } from '../../../api/session';
import { SelectField } from '../../../components/select-field';
import { FormAlert } from '../../../components/form-alert';
import type { CampaignValues } from './campaign-form';

type Server = { id: number; weight: number };

function useOptions() {
  const { api } = useSession();
  const lists = useQuery({
    ...allListsQuery(api),
    select: (all) => all.map((list) => ({ id: list.id, name: list.name, optin: list.optin, count: list.counts.subscribed })),
  });
  const servers = useQuery({
    ...allSendingServersQuery(api),
    select: (all) => all.map((s) => ({ id: s.id, name: s.name, driver: s.driver, isDefault: s.isDefault })),
  });
  return { lists, servers };
}

export function AudienceFields({ control }: { control: Control<CampaignValues> }) {
  const { lists, servers } = useOptions();
  const listsField = useController({ control, name: 'lists' });
  return (
    <fieldset className="panel editor-panel">
      <legend>Recipients and sending</legend>
      {lists.isError && <FormAlert message={lists.error.message} />}
      <CheckboxGroup
        className="checkbox-group"
        value={listsField.field.value.map(String)}
        onChange={(ids) => listsField.field.onChange(ids.map(Number))}
        isInvalid={listsField.fieldState.invalid}
        validationBehavior="aria"
      >
        <Label>Lists</Label>
        <Text slot="description">Everyone subscribed to any of them gets one message; at least one list is needed to send.</Text>
        {lists.isPending && <p role="status">Loading lists…</p>}
        {lists.data?.length === 0 && <p className="hint">No lists yet: create one under Lists first.</p>}
        {lists.data?.map((list) => (
          <Checkbox key={list.id} value={String(list.id)}>
            {list.name} <span className="hint">({list.count} subscribed)</span>
          </Checkbox>
        ))}
        <FieldError>{listsField.fieldState.error?.message}</FieldError>
      </CheckboxGroup>
      {servers.isError && <FormAlert message={servers.error.message} />}
      <ServerFields control={control} options={servers.data ?? []} />
    </fieldset>
  );
}

type ServerOption = { id: number; name: string; driver: string; isDefault: boolean };

function ServerFields({ control, options }: { control: Control<CampaignValues>; options: ServerOption[] }) {
  const mode = useController({ control, name: 'serverMode' });
  const chosen = useController({ control, name: 'servers' });
  const { errors } = useFormState({ control, name: 'servers' });
  const servers = chosen.field.value;
  const fallback = options.find((s) => s.isDefault);
  const set = (next: Server[]) => chosen.field.onChange(next);
  const move = (index: number, by: number) => {
    const next = [...servers];
    const [item] = next.splice(index, 1);
    next.splice(index + by, 0, item!);
    set(next);
  };
  const nameOf = (id: number) => options.find((s) => s.id === id)?.name ?? `Server ${id}`;
  const addable = options.filter((s) => !servers.some((c) => c.id === s.id));

  return (
    <div className="server-fields">
      <RadioGroup className="radio-group" value={mode.field.value} onChange={mode.field.onChange}>
        <Label>Sending servers</Label>
        <Radio value="default">The default server at send time{fallback ? ` (now ${fallback.name})` : ' (none is set yet)'}</Radio>
        <Radio value="chosen">These servers, in failover order, sharing the messages by weight</Radio>
      </RadioGroup>
      {mode.field.value === 'chosen' && (
        <>
          <ol className="server-list" aria-label="Chosen sending servers">
            {servers.map((server, index) => (
              <li key={server.id}>
                <span className="server-name">{nameOf(server.id)}</span>
                <NumberField
                  className="field weight-field"
                  value={server.weight}
                  onChange={(weight) => set(servers.map((s, i) => (i === index ? { ...s, weight } : s)))}
                  minValue={1}
                  maxValue={1000}
                  step={1}
                  isInvalid={Boolean(errors.servers?.[index]?.weight)}
                  validationBehavior="aria"
                >
                  <Label>Weight of {nameOf(server.id)}</Label>
                  <Group>
                    <Input />
                  </Group>
                  <FieldError>{errors.servers?.[index]?.weight?.message}</FieldError>
                </NumberField>
                <Button className="button secondary small" isDisabled={index === 0} onPress={() => move(index, -1)} aria-label={`Move ${nameOf(server.id)} up`}>
                  ↑
                </Button>
                <Button className="button secondary small" isDisabled={index === servers.length - 1} onPress={() => move(index, 1)} aria-label={`Move ${nameOf(server.id)} down`}>
                  ↓
                </Button>
                <Button className="button secondary small" onPress={() => set(servers.filter((_, i) => i !== index))} aria-label={`Remove ${nameOf(server.id)}`}>
                  Remove
                </Button>
              </li>
            ))}
          </ol>
            <SelectField
            className="add-server"
            label="Add a sending server"
            placeholder={addable.length > 0 ? 'Choose a server…' : 'Every server is chosen'}
            options={addable.map((s) => ({ id: String(s.id), label: `${s.name} (${s.driver})` }))}
            value={null}
            isDisabled={addable.length === 0}
            onChange={(key) => set([...servers, { id: Number(key), weight: 1 }])}
          />
          {errors.servers?.message && <p className="field-error" role="alert">{errors.servers.message}</p>}
        </>
      )}
    </div>
  );
}
