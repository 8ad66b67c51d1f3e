// Micro-benchmark of the per-recipient step: µs per renderMessage for a ~50 KB MJML
// campaign with 20 links (half of them with merge tags), as written with merge tags only
// and with Liquid tags too ({% if %}, {% for %}), which liquidjs renders in place. Not a test.
// Run: npx tsx bench/render-message.ts
import mjml2html from 'mjml';
import { deriveKeys } from '../shared/keys';
import { compileCampaign, type CompiledCampaign } from '../shared/render/compile-campaign';
import { renderMessage, type Recipient, type RenderSettings } from '../shared/render/render-message';

const LINKS = 20;
const ITERATIONS = 3_000;

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

/** µs of wall time and of process CPU time (all threads, GC included) per renderMessage. */
function measure(compiled: CompiledCampaign, settings: RenderSettings): { wall: number; cpu: number } {
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < ITERATIONS; i++) renderMessage(compiled, recipient(i), settings);
  const used = process.cpuUsage(cpu);
  return { wall: ((performance.now() - start) * 1000) / ITERATIONS, cpu: (used.user + used.system) / ITERATIONS };
}

function bench(label: string, compiled: CompiledCampaign, settings: RenderSettings): void {
  for (let i = 0; i < 500; i++) renderMessage(compiled, recipient(i), settings); // warm-up
  const { wall, cpu } = measure(compiled, settings);
  const sample = renderMessage(compiled, recipient(0), settings);
  console.log(`${label}: ${(sample.html!.length / 1024).toFixed(1)} KB HTML, ${(sample.text.length / 1024).toFixed(1)} KB text, ${compiled.trackedLinks} tracked links`);
  console.log(`  renderMessage: ${wall.toFixed(0)} µs each (${cpu.toFixed(0)} µs CPU)`);
}

async function main(): Promise<void> {
  const keys = await deriveKeys('bench-secret-bench-secret-bench-secret!!');
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
    bench(label, compiled, settings);
  }
}

await main();
