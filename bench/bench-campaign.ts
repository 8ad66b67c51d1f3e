// A realistic newsletter in MJML with merge tags and 20 links, grown until its compiled
// HTML is about the requested size (MJML's tables make the HTML several times the source).
import mjml2html from 'mjml';

const paragraph = 'Our spring collection is here, with new colours and fabrics picked for the season. ';

function newsletter(sections: number): string {
  const links = Array.from(
    { length: 20 },
    (_, i) => `<a href="https://shop.example.com/item/${i}?utm_source=news&amp;u={{ subscriber.id }}">Item ${i}</a>`,
  );
  const body = [`<mj-section><mj-column><mj-text>${links.join(' · ')}</mj-text></mj-column></mj-section>`];
  for (let i = 0; i < sections; i++) {
    body.push(`<mj-section><mj-column><mj-text font-size="16px">${paragraph.repeat(6)}</mj-text></mj-column></mj-section>`);
  }
  return `<mjml><mj-head><mj-title>Spring</mj-title></mj-head><mj-body>
    <mj-section><mj-column><mj-text>Hello {{ subscriber.name | default: "friend" }} in {{ subscriber.attributes.city }}</mj-text></mj-column></mj-section>
    ${body.join('\n')}
    <mj-section><mj-column><mj-text><a href="{{ unsubscribe_url }}">Unsubscribe</a></mj-text></mj-column></mj-section>
  </mj-body></mjml>`;
}

/** The MJML source whose compiled HTML is the smallest at least `kb` kilobytes. */
export async function benchMjml(kb: number): Promise<string> {
  for (let sections = 1; ; sections++) {
    const source = newsletter(sections);
    if ((await mjml2html(source)).html.length >= kb * 1024) return source;
  }
}
