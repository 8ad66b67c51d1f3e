// Micro-benchmark of the per-recipient step: µs per renderMessage for a ~50 KB MJML
// campaign with 20 links (half of them with merge tags). Not a test.
// Run: npx tsx bench/render-message.ts
import { createHmac } from 'node:crypto';
import mjml2html from 'mjml';
import { deriveKeys } from '../shared/keys';
import { compileCampaign } from '../shared/render/compile-campaign';
import { renderMessage, type Recipient } from '../shared/render/render-message';

const LINKS = 20;
const ITERATIONS = 3_000;
const IN_FLIGHT = 20; // as many as a sender's default SENDER_CONCURRENCY

function campaignBody(): string {
  const paragraph = 'Spring is here, and so is our new collection: light fabrics, bright colours and prices that will not last. '.repeat(20);
  const sections = Array.from({ length: LINKS }, (_, i) => {
    const href = i % 2 === 0 ? `https://shop.example/products/${i}?utm_source=news` : `https://shop.example/p/${i}?u={{ subscriber.id }}&city={{ subscriber.attributes.city | url_encode }}`;
    return `  <mj-section padding="10px 0">
    <mj-column>
      <mj-text font-size="15px" line-height="1.5"><h2>Pick ${i} for {{ subscriber.name | default: "you" }}</h2><p>${paragraph}</p></mj-text>
      <mj-button href="${href}" background-color="#2b6cb0">See pick ${i}</mj-button>
    </mj-column>
  </mj-section>`;
  });
  return `<mjml>
  <mj-head><mj-title>{{ campaign.name }}</mj-title><mj-preview>New for {{ subscriber.attributes.city | default: "you" }}</mj-preview></mj-head>
  <mj-body>
${sections.join('\n')}
  <mj-section><mj-column><mj-text><a href="{{ unsubscribe_url }}">Unsubscribe</a></mj-text></mj-column></mj-section>
  </mj-body>
</mjml>`;
}

async function main(): Promise<void> {
  const keys = await deriveKeys('bench-secret-bench-secret-bench-secret!!', (key, data) => createHmac('sha256', key).update(data).digest());
  const body = campaignBody();
  const compileStart = performance.now();
  const compiled = await compileCampaign(
    { id: 1, name: 'Spring', subject: 'Hello {{ subscriber.name | default: "friend" }}', fromAddress: 'Shop <news@shop.example>', format: 'mjml', body },
    mjml2html,
  );
  const compileMs = performance.now() - compileStart;
  const settings = { publicUrl: 'https://t.shop.example', keys };
  const recipient = (i: number): Recipient => ({
    messageId: i + 1,
    subscriber: { id: i + 1, email: `user${i}@example.com`, name: `User ${i}`, attributes: { city: 'Lyon' } },
  });

  for (let i = 0; i < 500; i++) await renderMessage(compiled, recipient(i), settings); // warm-up
  let start = performance.now();
  for (let i = 0; i < ITERATIONS; i++) await renderMessage(compiled, recipient(i), settings);
  const sequentialUs = ((performance.now() - start) * 1000) / ITERATIONS;

  start = performance.now();
  for (let i = 0; i < ITERATIONS; i += IN_FLIGHT) {
    await Promise.all(Array.from({ length: IN_FLIGHT }, (_, j) => renderMessage(compiled, recipient(i + j), settings)));
  }
  const concurrentUs = ((performance.now() - start) * 1000) / ITERATIONS;

  const sample = await renderMessage(compiled, recipient(0), settings);
  console.log(`campaign: ${(body.length / 1024).toFixed(1)} KB of MJML, ${compiled.trackedLinks} tracked links, compiled once in ${compileMs.toFixed(0)} ms`);
  console.log(`message: ${(sample.html!.length / 1024).toFixed(1)} KB HTML, ${(sample.text.length / 1024).toFixed(1)} KB text`);
  console.log(`renderMessage: ${sequentialUs.toFixed(0)} µs each, one at a time`);
  console.log(`renderMessage: ${concurrentUs.toFixed(0)} µs each, ${IN_FLIGHT} in flight`);
}

await main();
