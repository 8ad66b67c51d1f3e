// Micro-benchmark of DKIM signing (sender/mime/dkim-sign.ts): µs per signature of a ~50 KB
// message from buildMime, RSA 2048 and Ed25519, and where the time goes (relaxed body pass,
// SHA-256 of the body, the signature itself). Not a test.
// Run: npx tsx bench/dkim-sign.ts [messages=2000] [htmlKb=34]
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import mjml2html from 'mjml';
import { createMimeBuilder, type MimeMessage } from '../sender/mime/build-mime';
import { createByteOutput } from '../sender/mime/byte-output';
import { relaxedBody } from '../sender/mime/dkim-canonicalize';
import { createDkimSigner } from '../sender/mime/dkim-sign';
import { deriveKeys } from '../shared/keys';
import { compileCampaign } from '../shared/render/compile-campaign';
import { renderMessage } from '../shared/render/render-message';
import { benchMjml } from './bench-campaign';
import { measure } from './measure';

const total = Number(process.argv[2] ?? 2000);
const htmlKb = Number(process.argv[3] ?? 34);

/** µs per call of `run` over `count` calls, wall clock and CPU, after a warm-up. */
const keys = await deriveKeys('bench-secret-bench-secret-bench-secret!!');
const compiled = await compileCampaign(
  { id: 1, name: 'Spring', subject: 'Spring for {{ subscriber.name }}', fromAddress: 'Shop News <news@shop.example>', format: 'mjml', body: await benchMjml(htmlKb) },
  mjml2html,
);
const buildMime = createMimeBuilder();
const built: MimeMessage[] = [];
for (let i = 0; i < 100; i++) {
  const subscriber = { id: i + 1, email: `user${i}@example.com`, name: i % 2 ? `Zoë Müller ${i}` : `User ${i}`, attributes: { city: 'Lyon' } };
  const message = renderMessage(compiled, { messageId: i + 1, subscriber }, { publicUrl: 'https://t.shop.example', keys });
  built.push(buildMime(message));
}
const pick = (i: number) => built[i % built.length]!;

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const ed = generateKeyPairSync('ed25519').privateKey;
const rsaSigner = createDkimSigner({ domainName: 'shop.example', keySelector: 'ep1', privateKey: rsa });
const edSigner = createDkimSigner({ domainName: 'shop.example', keySelector: 'ep2', privateKey: ed });

const scratch = createByteOutput();
const digest = createHash('sha256').update('x').digest();
console.log(JSON.stringify({
  messages: total,
  mimeKb: Math.round(pick(0).raw.length / 1024),
  signUs: {
    rsa2048: await measure(total, (i) => rsaSigner.sign(pick(i))),
    ed25519: await measure(total, (i) => edSigner.sign(pick(i))),
  },
  partsUs: {
    relaxedBody: await measure(total, (i) => relaxedBody(pick(i).raw, pick(i).bodyStart, scratch)),
    sha256Body: await measure(total, (i) => createHash('sha256').update(pick(i).raw.subarray(pick(i).bodyStart)).digest()),
    rsa2048Signature: await measure(total, () => sign('sha256', digest, rsa)),
    ed25519Signature: await measure(total, () => sign(null, digest, ed)),
  },
}, null, 2));
