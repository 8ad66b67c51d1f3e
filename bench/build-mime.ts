// Micro-benchmark of MIME building: µs per message for sender/mime's buildMime against
// nodemailer's streamTransport composing the same rendered messages (~50 KB of MIME, as in
// send-pipeline.ts), and the parts that differ most: the quoted-printable encoder and
// RFC 2047 header encoding. Not a test.
// Run: npx tsx bench/build-mime.ts [messages=2000] [htmlKB=34]
import mjml2html from 'mjml';
import { createTransport } from 'nodemailer';
import { encodeWords as nodemailerEncodeWords } from 'nodemailer/lib/mime-funcs';
import { encode as nodemailerQp, wrap as nodemailerQpWrap } from 'nodemailer/lib/qp';
import { createMimeBuilder } from '../sender/mime/build-mime';
import { encodeWords } from '../sender/mime/encoded-words';
import { encodeQuotedPrintable } from '../sender/mime/quoted-printable';
import { deriveKeys } from '../shared/keys';
import { compileCampaign } from '../shared/render/compile-campaign';
import { renderMessage, type RenderedMessage } from '../shared/render/render-message';
import { benchMjml } from './bench-campaign';
import { toMailOptions } from './mail-options';
import { measure } from './measure';

const total = Number(process.argv[2] ?? 2000);
const htmlKb = Number(process.argv[3] ?? 34);

const keys = await deriveKeys('bench-secret-bench-secret-bench-secret!!');
const compiled = await compileCampaign(
  { id: 1, name: 'Spring', subject: 'Spring for {{ subscriber.name }}', fromAddress: 'Shop News <news@shop.example>', format: 'mjml', body: await benchMjml(htmlKb) },
  mjml2html,
);
const messages: RenderedMessage[] = [];
for (let i = 0; i < 100; i++) {
  const subscriber = { id: i + 1, email: `user${i}@example.com`, name: i % 2 ? `Zoë Müller ${i}` : `User ${i}`, attributes: { city: 'Lyon' } };
  messages.push(renderMessage(compiled, { messageId: i + 1, subscriber }, { publicUrl: 'https://t.shop.example', keys }));
}
const pick = (i: number) => messages[i % messages.length]!;

const buildMime = createMimeBuilder();
const composer = createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
const ours = await measure(total, (i) => buildMime(pick(i)));
const theirs = await measure(total, (i) => composer.sendMail(toMailOptions({ ...pick(i), messageId: i + 1 })));

const html = pick(0).html!;
const qpOurs = await measure(total, () => encodeQuotedPrintable(html));
const qpTheirs = await measure(total, () => nodemailerQpWrap(nodemailerQp(html), 76));

const subject = 'Ünsere Frühlingskollektion ist da: 30 % auf alles, nur für Sie, Zoë Müller! 🌷';
const wordsOurs = await measure(total * 10, () => encodeWords(subject, 69));
const wordsTheirs = await measure(total * 10, () => nodemailerEncodeWords(subject, 'Q', 52, true));

console.log(JSON.stringify({
  messages: total,
  mimeKb: Math.round(buildMime(pick(0)).raw.length / 1024),
  buildMimeUs: ours,
  nodemailerStreamTransportUs: theirs,
  speedup: +(theirs.cpuUs / ours.cpuUs).toFixed(1),
  quotedPrintableHtmlUs: { ours: qpOurs, nodemailer: qpTheirs, htmlKb: Math.round(html.length / 1024) },
  encodedWordsSubjectUs: { ours: wordsOurs, nodemailer: wordsTheirs },
}, null, 2));
