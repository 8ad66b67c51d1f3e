import mjml2html from 'mjml';
import { describe, expect, it } from 'vitest';
import { TemplateError, compileCampaign, type CampaignSource } from './compile-campaign';

const base: CampaignSource = { id: 7, name: 'Spring', subject: 'Hi {{ subscriber.name }}', fromAddress: 'Shop <news@shop.example>', format: 'html', body: '<p>x</p>' };

async function problemsOf(source: Partial<CampaignSource>) {
  try {
    await compileCampaign({ ...base, ...source }, mjml2html);
  } catch (err) {
    if (err instanceof TemplateError) return err.problems;
    throw err;
  }
  throw new Error('expected a TemplateError');
}

describe('compileCampaign', () => {
  it('compiles each format, finding the tracked links once', async () => {
    const html = await compileCampaign({ ...base, body: '<a href="https://a.example">a</a><a href="https://b.example/{{ subscriber.id }}">b</a><a href="mailto:x@y.example">m</a>' }, mjml2html);
    expect(html).toMatchObject({ id: 7, name: 'Spring', format: 'html', fromHeader: '"Shop" <news@shop.example>', from: { domain: 'shop.example' }, trackedLinks: 2 });
    expect(html.html).not.toBeNull();
    const mjml = await compileCampaign({ ...base, format: 'mjml', body: '<mjml><mj-body><mj-section><mj-column><mj-button href="https://a.example">a</mj-button></mj-column></mj-section></mj-body></mjml>' }, mjml2html);
    expect(mjml.trackedLinks).toBe(1);
    const text = await compileCampaign({ ...base, format: 'text', body: 'Go to https://a.example/x. Bye: {{ unsubscribe_url }}' }, mjml2html);
    expect(text).toMatchObject({ html: null, trackedLinks: 1 });
  });

  it('reports every problem at once, by field, as INVALID_TEMPLATE', async () => {
    const error = await compileCampaign({ ...base, fromAddress: 'nobody', subject: '', body: ' ' }, mjml2html).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TemplateError);
    expect((error as TemplateError).code).toBe('INVALID_TEMPLATE');
    expect((error as TemplateError).problems).toEqual([
      { field: 'fromAddress', message: expect.stringContaining('"nobody" is not an email address') },
      { field: 'subject', message: 'the subject is empty' },
      { field: 'body', message: 'the body is empty: write the campaign in HTML' },
    ]);
    expect((error as TemplateError).message).toContain('fromAddress: "nobody" is not an email address');
  });

  it('gives Liquid syntax errors with their lines, in every format and in the subject', async () => {
    expect(await problemsOf({ subject: 'Hi {{ subscriber.name | nofilter }}' })).toEqual([
      { field: 'subject', line: 1, message: 'Liquid: undefined filter: nofilter (column 4)' },
    ]);
    expect(await problemsOf({ body: '<p>one</p>\n<p>{% if x %}two</p>' })).toEqual([{ field: 'body', line: 2, message: 'Liquid: tag {% if x %} not closed (column 4)' }]);
    expect(await problemsOf({ format: 'text', body: 'one\ntwo\n{{ subscriber.name' })).toEqual([
      { field: 'body', line: 3, message: expect.stringContaining('Liquid: output "{{ subscriber.name" not closed') },
    ]);
    expect(await problemsOf({ format: 'mjml', body: '<mjml>\n<mj-body>\n{% include "/etc/passwd" %}\n</mj-body>\n</mjml>' })).toEqual([
      { field: 'body', line: 3, message: expect.stringContaining('{% include %} is not supported') },
    ]);
  });

  it('gives MJML errors with their lines', async () => {
    expect(await problemsOf({ format: 'mjml', body: '<mjml>\n<mj-body>\n<mj-section>\n<mj-column>\n<mj-text colr="red">x</mj-text>\n</mj-column>\n</mj-section>\n</mj-body>\n</mjml>' })).toEqual([
      { field: 'body', line: 5, message: 'MJML: <mj-text> Attribute colr is illegal' },
    ]);
  });

  it('refuses a link that opens a Liquid tag it does not close', async () => {
    expect(await problemsOf({ body: '<p>x</p>\n<a href="https://a.example/{% if vip %}vip">a</a>{% endif %}' })).toEqual([
      { field: 'body', line: 2, message: expect.stringMatching(/^the link https:\/\/a\.example\/\{% if vip %\}vip must open and close its Liquid tags inside itself/) },
    ]);
  });

  it('refuses Liquid tags the plain-text version cannot keep together', async () => {
    const problems = await problemsOf({ body: '<html><head>{% if vip %}<title>VIP</title></head><body>Hi{% endif %}</body></html>' });
    expect(problems).toEqual([{ field: 'body', message: expect.stringMatching(/^the plain-text version of the body does not keep its Liquid tags together/) }]);
  });

  it('throws a TypeError for a source of the wrong shape', async () => {
    await expect(compileCampaign({ ...base, format: 'pdf' as never }, mjml2html)).rejects.toThrow('campaign format must be one of mjml, html, text');
    await expect(compileCampaign({ ...base, id: 0 }, mjml2html)).rejects.toThrow(TypeError);
  });
});
