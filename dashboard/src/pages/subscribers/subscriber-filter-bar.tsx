// The browse screen's search and filters. Each change rewrites the page's URL (replacing
// the history entry, so Back leaves the screen instead of undoing keystrokes); the table
// reads its filter from there.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Button, Input, Label, SearchField, Tag, TagGroup, TagList, TextField } from 'react-aria-components';
import { SelectField } from '../../components/select-field';
import { type MembershipStatus, type SubscriberFilter, type SubscriberStatus } from './subscriber-filters';
import { useLists } from './use-lists';

const SEARCH_DELAY_MS = 300;
const ANY = 'any';

interface FilterBarProps {
  filter: SubscriberFilter;
  onChange(filter: SubscriberFilter): void;
}

/** Search as you type (debounced), list, list status, status and attribute filters. */
export function SubscriberFilterBar({ filter, onChange }: FilterBarProps) {
  const lists = useLists();
  const listOptions = [{ id: ANY, label: 'All lists' }, ...(lists.data ?? []).map((l) => ({ id: String(l.id), label: l.name }))];
  const setList = (id: string) => {
    const { list: _list, listStatus: _status, ...rest } = filter;
    onChange(id === ANY ? rest : { ...rest, list: Number(id) });
  };
  return (
    <div className="panel filter-bar" role="search" aria-label="Find subscribers">
      <SearchBox value={filter.search ?? ''} onSearch={(search) => onChange(withOptional(filter, 'search', search || undefined))} />
      <SelectField label="List" options={listOptions} value={filter.list === undefined ? ANY : String(filter.list)} onChange={setList} />
      {filter.list !== undefined && (
        <SelectField
          label="Membership"
          options={[
            { id: ANY, label: 'Any' },
            { id: 'subscribed', label: 'Subscribed' },
            { id: 'unconfirmed', label: 'Unconfirmed' },
            { id: 'unsubscribed', label: 'Unsubscribed' },
          ]}
          value={filter.listStatus ?? ANY}
          onChange={(v) => onChange(withOptional(filter, 'listStatus', v === ANY ? undefined : (v as MembershipStatus)))}
        />
      )}
      <SelectField
        label="Status"
        options={[
          { id: ANY, label: 'Any' },
          { id: 'active', label: 'Active' },
          { id: 'blocklisted', label: 'Blocklisted' },
        ]}
        value={filter.status ?? ANY}
        onChange={(v) => onChange(withOptional(filter, 'status', v === ANY ? undefined : (v as SubscriberStatus)))}
      />
      <AttributeFilterForm onAdd={(key, value) => onChange({ ...filter, attributes: [...filter.attributes.filter(([k]) => k !== key), [key, value]] })} />
      {filter.attributes.length > 0 && (
        <TagGroup className="filter-tags" onRemove={(keys) => onChange({ ...filter, attributes: filter.attributes.filter(([k]) => !keys.has(k)) })}>
          <Label>Attribute filters</Label>
          <TagList>
            {filter.attributes.map(([key, value]) => (
              <Tag key={key} id={key} textValue={`${key} = ${value}`}>
                {key} = {value}
                <Button slot="remove" aria-label={`Remove the filter ${key} = ${value}`}>×</Button>
              </Tag>
            ))}
          </TagList>
        </TagGroup>
      )}
    </div>
  );
}

function withOptional<K extends keyof SubscriberFilter>(filter: SubscriberFilter, key: K, value: SubscriberFilter[K] | undefined): SubscriberFilter {
  const next = { ...filter };
  if (value === undefined) delete next[key];
  else next[key] = value;
  return next;
}

/** The search input: typing updates it at once, the filter after a pause. */
function SearchBox({ value, onSearch }: { value: string; onSearch(search: string): void }) {
  const [text, setText] = useState(value);
  // The latest callback, so a re-render of the page does not restart the pause.
  const search = useRef(onSearch);
  search.current = onSearch;
  // The URL changed from elsewhere (Back, a link): show what it says. Not when it is this
  // box's own text come back trimmed: that would eat the space typed between two words.
  useEffect(() => setText((typed) => (typed.trim() === value ? typed : value)), [value]);
  useEffect(() => {
    if (text.trim() === value) return;
    const timer = setTimeout(() => search.current(text.trim()), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text, value]);
  return (
    <SearchField className="field search-field" value={text} onChange={setText} onSubmit={() => onSearch(text.trim())}>
      <Label>Search</Label>
      <Input placeholder="Email or name" />
    </SearchField>
  );
}

/** Adds an `attr.<key>=<value>` filter. */
function AttributeFilterForm({ onAdd }: { onAdd(key: string, value: string): void }) {
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!key.trim() || !value) return setError('Give both an attribute and the value it must have.');
    setError(null);
    onAdd(key.trim(), value);
    setKey('');
    setValue('');
  };
  return (
    <form className="attribute-filter" onSubmit={submit} aria-label="Filter by attribute">
      <TextField className="field" value={key} onChange={setKey}>
        <Label>Attribute</Label>
        <Input placeholder="city" />
      </TextField>
      <TextField className="field" value={value} onChange={setValue}>
        <Label>equals</Label>
        <Input placeholder="Lyon" />
      </TextField>
      <Button type="submit" className="button secondary">Add filter</Button>
      {error && <p className="field-error" role="alert">{error}</p>}
    </form>
  );
}
