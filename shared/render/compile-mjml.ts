// Compiles a campaign's MJML to HTML, once per campaign, with its Liquid swapped for words
// (liquid-placeholders.ts), and reports everything wrong at once on the lines the marketer
// wrote. How Liquid survives MJML:
// - outputs (`{{ … }}`) may sit anywhere text or an attribute value may: in <mj-text>,
//   <mj-button>, `href`, `src`, `background-color`…; MJML only ever sees a plain word;
// - tags (`{% if %}`, `{% for %}`) may sit inside content elements (<mj-text>, <mj-button>,
//   <mj-table>, <mj-raw>) or attribute values; between MJML elements (around a whole
//   <mj-section>) they must be wrapped in <mj-raw>, or MJML drops them: we refuse that;
// - an attribute whose value holds Liquid is not checked against its type (`{{ color }}`
//   is not a colour yet), every other validation error is refused.
import { countLiquidWords, type ProtectedText } from './liquid-placeholders';
import type { Mjml2Html, MjmlError } from './mjml';
import { findUnclosedMjmlTags } from './mjml-structure';
import type { TemplateProblem } from './template-error';

const OPTIONS = {
  ignoreIncludes: true, // a campaign never reads files, whatever its <mj-include> says
  keepComments: true,
  minify: false,
  beautify: false,
};

export interface CompiledMjml {
  /** The HTML, still with words for Liquid; null when there are problems. */
  html: string | null;
  problems: TemplateProblem[];
}

/** MJML to HTML with `validationLevel: 'strict'`, each problem on the line of the original body. */
export async function compileMjml(source: ProtectedText, mjml2html: Mjml2Html): Promise<CompiledMjml> {
  const problems: TemplateProblem[] = findUnclosedMjmlTags(source.text).map((tag) => ({
    field: 'body',
    line: source.originalLine(tag.line),
    message: `MJML: <${tag.tagName}> is never closed: add </${tag.tagName}> (or write it as <${tag.tagName} … />)`,
  }));
  let html: string;
  try {
    html = (await mjml2html(source.text, { ...OPTIONS, validationLevel: 'strict' })).html;
  } catch (err) {
    const errors = validationErrors(err);
    if (!errors) return { html: null, problems: [...problems, { field: 'body', message: `MJML could not read the body: ${errorMessage(err)}` }] };
    const real = errors.filter((e) => !e.message.includes(source.words.prefix));
    problems.push(...real.map((e) => mjmlProblem(e, source)));
    if (problems.length > 0) return { html: null, problems };
    // Only Liquid-valued attributes failed their type check: compile without it.
    html = (await mjml2html(source.text, { ...OPTIONS, validationLevel: 'skip' })).html;
  }
  problems.push(...liquidThatDidNotSurvive(html, source));
  return problems.length > 0 ? { html: null, problems } : { html, problems };
}

function mjmlProblem(error: MjmlError, source: ProtectedText): TemplateProblem {
  const where = error.tagName ? `<${error.tagName}> ` : '';
  return { field: 'body', line: source.originalLine(error.line), message: `MJML: ${where}${error.message}` };
}

function liquidThatDidNotSurvive(html: string, source: ProtectedText): TemplateProblem[] {
  const counts = countLiquidWords(html, source.words);
  const problems: TemplateProblem[] = [];
  source.tokens.forEach((token, index) => {
    const copies = counts.get(index) ?? 0;
    if (copies === 0) {
      problems.push({
        field: 'body',
        line: token.line,
        message: `MJML drops the Liquid ${token.source} here: Liquid between MJML elements must sit inside <mj-raw>…</mj-raw>`,
      });
    } else if (token.kind === 'tag' && copies > 1) {
      problems.push({
        field: 'body',
        line: token.line,
        message: `MJML repeats the Liquid ${token.source} ${copies} times (this element copies its content), which breaks the template: put the tag around the element, inside <mj-raw>`,
      });
    }
  });
  return problems;
}

function validationErrors(err: unknown): MjmlError[] | null {
  const errors = (err as { errors?: unknown } | null)?.errors;
  return Array.isArray(errors) ? (errors as MjmlError[]) : null;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
