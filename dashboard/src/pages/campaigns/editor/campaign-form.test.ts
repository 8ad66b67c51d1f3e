// The editor's form model: what it checks as the marketer types, and how it turns into the
// API's campaign and back (send times in a chosen time zone, servers, tracking).
import { describe, expect, it } from 'vitest';
import { campaignFormSchema, campaignValues, formFieldOf, newCampaignValues, toCampaignBody, toInstant, type CampaignValues } from './campaign-form';

const valid = (extra: Partial<CampaignValues> = {}): CampaignValues => ({
  ...newCampaignValues({ format: 'mjml' }),
  name: 'Spring sale',
  from: 'Shop <news@shop.example>',
  subject: 'Hello',
  timeZone: 'Asia/Tokyo',
  ...extra,
});

const issues = (values: CampaignValues) => {
  const result = campaignFormSchema.safeParse(values);
  return result.success ? {} : Object.fromEntries(result.error.issues.map((i) => [i.path.join('.'), i.message]));
};

describe('campaign form', () => {
  it('accepts a blank start once it has a name, a sender and a subject', () => {
    expect(issues(valid())).toEqual({});
    expect(Object.keys(issues(newCampaignValues({ format: 'text' }))).sort()).toEqual(['from', 'name', 'subject']);
  });

  it('explains a sender, a subject, a weight, a server choice and a tracking domain it cannot take', () => {
    expect(issues(valid({ from: 'news at shop' }))).toEqual({ from: expect.stringContaining('news@acme.example') });
    expect(issues(valid({ subject: 'two\nlines' }))).toEqual({ subject: 'Keep the subject on one line' });
    expect(issues(valid({ serverMode: 'chosen' }))).toEqual({ servers: 'Add a server, or send through the default one' });
    expect(issues(valid({ serverMode: 'chosen', servers: [{ id: 1, weight: 0 }] }))).toEqual({ 'servers.0.weight': 'At least 1' });
    expect(issues(valid({ trackingDomain: 'not a host' }))).toEqual({ trackingDomain: 'Enter a host name like click.acme.example' });
  });

  it('wants a future send time in a real time zone when scheduled', () => {
    expect(issues(valid({ schedule: 'later' }))).toEqual({ sendAt: 'Pick the date and time to send' });
    expect(issues(valid({ schedule: 'later', sendAt: '2001-01-01T09:00' }))).toEqual({ sendAt: 'Pick a time in the future' });
    expect(issues(valid({ schedule: 'later', sendAt: '2030-01-01T09:00', timeZone: 'Mars/Olympus' }))).toEqual({ timeZone: 'Pick a time zone from the list' });
  });

  it('sends the wall-clock time in its zone as an instant, and defaults as nulls', () => {
    expect(toInstant('2030-07-01T09:30', 'Europe/Lisbon')).toBe('2030-07-01T08:30:00.000Z');
    expect(toCampaignBody(valid({ schedule: 'later', sendAt: '2030-12-25T09:30', serverMode: 'chosen', servers: [{ id: 2, weight: 3 }], tracking: 'anonymous', trackingDomain: ' click.shop.example ' }))).toMatchObject({
      sendAt: '2030-12-25T00:30:00.000Z',
      sendingServers: [{ id: 2, weight: 3 }],
      tracking: 'anonymous',
      trackingDomain: 'click.shop.example',
    });
    // Chosen servers are forgotten once the default is picked again, and "now" clears the time.
    expect(toCampaignBody(valid({ sendAt: '2030-12-25T09:30', servers: [{ id: 2, weight: 3 }] }))).toMatchObject({ sendAt: null, sendingServers: [], tracking: null, trackingDomain: null });
  });

  it('reads a saved campaign back into the form', () => {
    const values = campaignValues({
      id: 1, name: 'N', subject: 'S', from: 'a@b.example', preheader: 'P', format: 'html', body: '<p>x</p>', tracking: null, trackingDomain: 'click.b.example',
      lists: [3], sendingServerId: 4, sendingServers: [{ id: 4, weight: 2 }], sendAt: '2030-12-25T00:30:00.000Z', status: 'draft', statusReason: null,
      startedAt: null, finishedAt: null, createdAt: '2030-01-01T00:00:00.000Z', updatedAt: '2030-01-01T00:00:00.000Z',
    });
    expect(values).toMatchObject({ format: 'html', lists: [3], serverMode: 'chosen', servers: [{ id: 4, weight: 2 }], schedule: 'later', tracking: 'default', trackingDomain: 'click.b.example' });
    // Shown in the browser's zone, it converts back to the same instant.
    expect(toInstant(values.sendAt, values.timeZone)).toBe('2030-12-25T00:30:00.000Z');
  });

  it("puts the API's detail paths on the form's fields", () => {
    expect(formFieldOf('lists.0')).toBe('lists');
    expect(formFieldOf('sendingServers.1.id')).toBe('servers');
    expect(formFieldOf('sendingServerId')).toBe('servers');
    expect(formFieldOf('subject')).toBe('subject');
  });
});
