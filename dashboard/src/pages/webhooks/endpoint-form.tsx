// The fields of an outgoing webhook endpoint (URL, description, events, active), checked as
// the user types with the API's rules (edge/routes/webhook-endpoints.ts), and the event
// picker over the catalogue of docs/webhooks.md (shared/webhooks/outgoing-events.ts).
import { Checkbox, CheckboxGroup, FieldError, Label, Text } from 'react-aria-components';
import { useController, type Control } from 'react-hook-form';
import { z } from 'zod';
import { outgoingEventNames, outgoingEvents } from '../../../../shared/webhooks/outgoing-events';
import { FormTextField } from '../../components/text-field';

export const endpointSchema = z.object({
  url: z
    .string()
    .trim()
    .min(1, 'Enter the URL Edgepost should call')
    .pipe(z.url({ protocol: /^https?$/, error: 'Enter an http or https URL, e.g. https://hooks.example.com/edgepost' }))
    .refine((u) => u.length <= 2000, 'Use at most 2000 characters')
    .refine((u) => !/^https?:\/\/[^/?#]*@/i.test(u), 'Leave the user name and password out: the signature tells your endpoint the call is ours'),
  description: z.string().trim().max(500, 'Use at most 500 characters'),
  events: z.array(z.enum(outgoingEventNames)).min(1, 'Pick at least one event'),
  active: z.boolean(),
});
export type EndpointValues = z.infer<typeof endpointSchema>;

export const ENDPOINT_FIELDS = ['url', 'description', 'events', 'active'] as const;

/** Groups of the catalogue, in its order, so forty checkboxes read as three short lists. */
const GROUPS = ['subscriber', 'message', 'campaign'] as const;

/** The URL, description and event picker of an endpoint. */
export function EndpointFields({ control }: { control: Control<EndpointValues> }) {
  return (
    <div className="stack">
      <div className="form-grid">
        <FormTextField control={control} name="url" label="Endpoint URL" type="url" placeholder="https://hooks.example.com/edgepost" />
        <FormTextField control={control} name="description" label="Description" optional description="What it is for, e.g. CRM sync." />
      </div>
      <EventPicker control={control} />
    </div>
  );
}

function EventPicker({ control }: { control: Control<EndpointValues> }) {
  const { field, fieldState } = useController({ control, name: 'events' });
  return (
    <CheckboxGroup
      className="event-picker"
      value={field.value}
      onChange={(events) => {
        field.onChange(events);
        field.onBlur();
      }}
      isInvalid={fieldState.invalid}
      validationBehavior="aria"
      isRequired
    >
      <Label>Events</Label>
      <Text slot="description">A test ping reaches every endpoint without subscribing to it.</Text>
      <div className="event-groups">
        {GROUPS.map((group) => (
          <div key={group} className="event-group">
            {outgoingEventNames
              .filter((name) => name.startsWith(`${group}.`))
              .map((name) => (
                <Checkbox key={name} value={name} className="checkbox">
                  <span>
                    <code>{name}</code>
                    <span className="event-help">{outgoingEvents[name]}</span>
                  </span>
                </Checkbox>
              ))}
          </div>
        ))}
      </div>
      <FieldError>{fieldState.error?.message}</FieldError>
    </CheckboxGroup>
  );
}

/** The "Active" switch of an endpoint. */
export function ActiveField({ control }: { control: Control<EndpointValues> }) {
  const { field } = useController({ control, name: 'active' });
  return (
    <Checkbox className="checkbox" isSelected={field.value} onChange={field.onChange}>
      Active: new events are queued for it (off: nothing new, pending deliveries wait)
    </Checkbox>
  );
}
