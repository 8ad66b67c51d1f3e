// When the campaign goes out (as soon as it is sent, or at a date and time in a chosen
// time zone) and how its readers are tracked.
import { parseDateTime, type CalendarDateTime } from '@internationalized/date';
import { useMemo, useState } from 'react';
import {
  Button,
  Calendar,
  CalendarCell,
  CalendarGrid,
  ComboBox,
  DateInput,
  DatePicker,
  DateSegment,
  Dialog,
  FieldError,
  Group,
  Heading,
  Input,
  Label,
  ListBox,
  ListBoxItem,
  Popover,
  Radio,
  RadioGroup,
  Text,
} from 'react-aria-components';
import { useController, useWatch, type Control } from 'react-hook-form';
import { FormTextField } from '../../../components/text-field';
import type { CampaignValues } from './campaign-form';

function parseLocal(text: string): CalendarDateTime | null {
  try {
    return text ? parseDateTime(text) : null;
  } catch {
    return null;
  }
}

export function ScheduleFields({ control }: { control: Control<CampaignValues> }) {
  const schedule = useController({ control, name: 'schedule' });
  return (
    <fieldset className="panel editor-panel">
      <legend>Schedule</legend>
      <RadioGroup className="radio-group" value={schedule.field.value} onChange={schedule.field.onChange} orientation="horizontal">
        <Label>Send</Label>
        <Radio value="now">As soon as I send it</Radio>
        <Radio value="later">At a date and time</Radio>
      </RadioGroup>
      {schedule.field.value === 'later' && <SendAtFields control={control} />}
      <p className="hint">Saving keeps the campaign a draft: it goes out (or waits for its time) once you send it from its page.</p>
    </fieldset>
  );
}

function SendAtFields({ control }: { control: Control<CampaignValues> }) {
  const sendAt = useController({ control, name: 'sendAt' });
  const timeZone = useController({ control, name: 'timeZone' });
  const zones = useMemo(() => Intl.supportedValuesOf('timeZone').map((id) => ({ id })), []);
  const [zoneText, setZoneText] = useState(timeZone.field.value);
  return (
    <div className="field-row">
      <DatePicker
        className="field"
        value={parseLocal(sendAt.field.value)}
        onChange={(value) => sendAt.field.onChange(value ? value.toString().slice(0, 16) : '')}
        onBlur={sendAt.field.onBlur}
        granularity="minute"
        isInvalid={sendAt.fieldState.invalid}
        validationBehavior="aria"
      >
        <Label>Send at</Label>
        <Group className="date-input-group">
          <DateInput className="date-input">{(segment) => <DateSegment segment={segment} />}</DateInput>
          <Button className="button secondary small" aria-label="Open the calendar">
            ▾
          </Button>
        </Group>
        <FieldError>{sendAt.fieldState.error?.message}</FieldError>
        <Popover className="select-popover">
          <Dialog aria-label="Choose the day">
            <Calendar className="calendar">
              <header>
                <Button slot="previous" className="button secondary small">‹</Button>
                <Heading />
                <Button slot="next" className="button secondary small">›</Button>
              </header>
              <CalendarGrid>{(date) => <CalendarCell date={date} />}</CalendarGrid>
            </Calendar>
          </Dialog>
        </Popover>
      </DatePicker>
      <ComboBox
        className="field"
        items={zones}
        // Only a zone picked from the list reaches the form; leaving the box with half-typed
        // text puts the picked zone's name back.
        selectedKey={timeZone.field.value}
        inputValue={zoneText}
        onInputChange={setZoneText}
        onSelectionChange={(key) => {
          if (key === null) return;
          setZoneText(String(key));
          timeZone.field.onChange(String(key));
        }}
        onBlur={timeZone.field.onBlur}
        isInvalid={timeZone.fieldState.invalid}
        validationBehavior="aria"
        menuTrigger="focus"
      >
        <Label>Time zone</Label>
        <Input />
        <Text slot="description">The date and time above are in this zone.</Text>
        <FieldError>{timeZone.fieldState.error?.message}</FieldError>
        <Popover className="select-popover">
          <ListBox>{(zone: { id: string }) => <ListBoxItem id={zone.id}>{zone.id}</ListBoxItem>}</ListBox>
        </Popover>
      </ComboBox>
    </div>
  );
}

export function TrackingFields({ control }: { control: Control<CampaignValues> }) {
  const tracking = useController({ control, name: 'tracking' });
  const mode = useWatch({ control, name: 'tracking' });
  return (
    <fieldset className="panel editor-panel">
      <legend>Tracking</legend>
      <RadioGroup className="radio-group" value={tracking.field.value} onChange={tracking.field.onChange}>
        <Label>Opens and clicks</Label>
        <Radio value="default">As set for this install (Settings)</Radio>
        <Radio value="on">On: per message, so you see who opened and clicked</Radio>
        <Radio value="anonymous">Anonymous: counts per campaign and link, nobody's identity in the links</Radio>
        <Radio value="off">Off: no pixel, links left as written</Radio>
      </RadioGroup>
      {mode !== 'off' && (
        <FormTextField
          control={control}
          name="trackingDomain"
          label="Tracking domain"
          description="Host name for the pixel and click links, e.g. click.acme.example (its DNS must point at Edgepost). Empty on a draft: the install's setting, fixed when the campaign is sent; empty once sent: this install's own address."
          optional
        />
      )}
    </fieldset>
  );
}
