// Micro-benchmark of the per-recipient step: µs per renderMessage for a ~50 KB MJML
// campaign with 20 links (half of them with merge tags), as written with merge tags only
// and with Liquid tags too ({% if %}, {% for %}), which liquidjs renders in place. Not a test.
// Run: npx tsx bench/render-message.ts
import mjml2html from 'mjml';
import { deriveKeys } from '../shared/keys';
import { nodeHmacSha256 } from '../node/hmac';
import { compileCampaign, type CompiledCampaign } from '../shared/render/compile-campaign';
import { renderMessage, type Recipient, type RenderSettings } from '../shared/render/render-message';

const LINKS = 20;
const ITERATIONS = 3_000;
const IN_FLIGHT = 20; // as many as a sender's default SENDER_CONCURRENCY

function campaignBody(withTags: boolean): string {
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
  const tagged = `  <mj-raw>{% if subscriber.attributes.vip %}</mj-raw>
  <mj-section><mj-column><mj-text>Early access for members: <a href="https://shop.example/vip?u={{ subscriber.id }}">shop first</a></mj-text></mj-column></mj-section>
  <mj-raw>{% endif %}</mj-raw>
  <mj-section><mj-column><mj-text>{% for tag in subscriber.attributes.tags %}<a href="https://shop.example/t/{{ tag }}">{{ tag }}</a> {% endfor %}</mj-text></mj-column></mj-section>`;
  return `<mjml>
  <mj-head><mj-title>{{ campaign.name }}</mj-title><mj-preview>New for {{ subscriber.attributes.city | default: "you" }}</mj-preview></mj-head>
  <mj-body>
${withTags ? tagged : ''}
${sections.join('\n')}
  <mj-section><mj-column><mj-text><a href="{{ unsubscribe_url }}">Unsubscribe</a></mj-text></mj-column></mj-section>
  </mj-body>
</mjml>`;
}

function recipient(i: number): Recipient {
  return {
    messageId: i + 1,
    subscriber: { id: i + 1, email: `user${i}@example.com`, name: `User ${i}`, attributes: { city: 'Lyon', vip: i % 2 === 0, tags: ['linen', 'summer'] } },
  };
}

/** µs of wall time and of process CPU time (all threads, GC included) per call of `render`. */
async function measure(render: (i: number) => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < ITERATIONS; i += IN_FLIGHT) await render(i);
  const used = process.cpuUsage(cpu);
  return { wall: ((performance.now() - start) * 1000) / ITERATIONS, cpu: (used.user + used.system) / ITERATIONS };
}

async function bench(label: string, compiled: CompiledCampaign, settings: RenderSettings): Promise<void> {
  const oneAtATime = async (i: number) => {
    for (let j = 0; j < IN_FLIGHT; j++) await renderMessage(compiled, recipient(i + j), settings);
  };
  const inFlight = (i: number) => Promise.all(Array.from({ length: IN_FLIGHT }, (_, j) => renderMessage(compiled, recipient(i + j), settings)));
  for (let i = 0; i < 500; i += IN_FLIGHT) await oneAtATime(i); // warm-up
  const sequential = await measure(oneAtATime);
  const concurrent = await measure(inFlight);
  const sample = await renderMessage(compiled, recipient(0), settings);
  console.log(`${label}: ${(sample.html!.length / 1024).toFixed(1)} KB HTML, ${(sample.text.length / 1024).toFixed(1)} KB text, ${compiled.trackedLinks} tracked links`);
  console.log(`  renderMessage: ${sequential.wall.toFixed(0)} µs each one at a time (${sequential.cpu.toFixed(0)} µs CPU)`);
  console.log(`  renderMessage: ${concurrent.wall.toFixed(0)} µs each, ${IN_FLIGHT} in flight (${concurrent.cpu.toFixed(0)} µs CPU)`);
}

async function main(): Promise<void> {
  const keys = await deriveKeys('bench-secret-bench-secret-bench-secret!!', nodeHmacSha256);
  const settings = { publicUrl: 'https://t.shop.example', keys };
  for (const withTags of [false, true]) {
    const body = campaignBody(withTags);
    const compileStart = performance.now();
    const compiled = await compileCampaign(
      { id: 1, name: 'Spring', subject: 'Hello {{ subscriber.name | default: "friend" }}', fromAddress: 'Shop <news@shop.example>', format: 'mjml', body },
      mjml2html,
    );
    const compileMs = performance.now() - compileStart;
    const label = withTags ? 'with {% if %} and {% for %}' : 'merge tags only';
    console.log(`campaign (${label}): ${(body.length / 1024).toFixed(1)} KB of MJML, compiled once in ${compileMs.toFixed(0)} ms`);
    await bench(label, compiled, settings);
  }
}

await main();
