// The MJML compiler the sender sends with: MJML's own output with the indentation and blank
// lines it writes collapsed, by htmlnano's conservative whitespace collapse and nothing else
// of its minifier. That whitespace is a fifth of a typical MJML email; without it every
// message is smaller on the wire, cheaper to encode, sign and scan, and further from Gmail's
// 102 KB clipping. It renders the same: HTML collapses such whitespace anyway, and htmlnano
// leaves <pre>, <textarea>, <style> and <script> alone. A body whose CSS asks for
// preformatted whitespace anywhere (white-space: pre…, break-spaces) is compiled as written.
import { presets } from 'htmlnano';
import mjml2html from 'mjml';
import type { Mjml2Html } from '../shared/render/mjml';

/** Every module of htmlnano's default preset off but the whitespace collapse, and no rc file read. */
const COMPACT: Record<string, unknown> = {
  minify: true,
  minifyOptions: {
    ...Object.fromEntries(Object.keys(presets.safe).map((module) => [module, false])),
    collapseWhitespace: 'conservative',
    skipConfigLoading: true,
  },
};

const PREFORMATTED = /white-space\s*:\s*(pre|break-spaces)/i;

export const compactMjml2Html: Mjml2Html = (mjml, options) =>
  PREFORMATTED.test(mjml) ? mjml2html(mjml, options) : mjml2html(mjml, { ...options, ...COMPACT });
