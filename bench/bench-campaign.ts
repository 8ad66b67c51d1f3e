// A realistic newsletter in MJML: ~N KB of content and 20 links, with merge tags.
export function benchMjml(kb: number): string {
  const paragraph = 'Our spring collection is here, with new colours and fabrics picked for the season. ';
  const sections: string[] = [];
  for (let i = 0; sections.join('').length < kb * 1024; i++) {
    sections.push(`<mj-section><mj-column>
      <mj-text font-size="16px">${paragraph.repeat(8)}</mj-text>
      ${i < 20 ? `<mj-button href="https://shop.example.com/item/${i}?utm_source=news&amp;u={{ subscriber.id }}">Item ${i}</mj-button>` : ''}
    </mj-column></mj-section>`);
  }
  return `<mjml><mj-head><mj-title>Spring</mj-title></mj-head><mj-body>
    <mj-section><mj-column><mj-text>Hello {{ subscriber.name | default: "friend" }} in {{ subscriber.attributes.city }}</mj-text></mj-column></mj-section>
    ${sections.join('\n')}
    <mj-section><mj-column><mj-text><a href="{{ unsubscribe_url }}">Unsubscribe</a></mj-text></mj-column></mj-section>
  </mj-body></mjml>`;
}
