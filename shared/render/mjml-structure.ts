// MJML's parser is forgiving: an `<mj-text>` that is never closed swallows the rest of the
// column without a word from its validator. This finds such tags, with htmlparser2 set up
// as mjml-parser-xml sets it up, so both read the document the same way.
import { Parser } from 'htmlparser2';
import { lineAt } from './liquid-placeholders';

export interface UnclosedTag {
  tagName: string;
  /** 1-based line of the opening tag. */
  line: number;
}

/** MJML elements (`mjml`, `mj-*`) opened and never closed, in document order. */
export function findUnclosedMjmlTags(mjml: string): UnclosedTag[] {
  const open: UnclosedTag[] = [];
  const unclosed: UnclosedTag[] = [];
  const parser = new Parser(
    {
      onopentag(name) {
        if (isMjmlTag(name)) open.push({ tagName: name, line: lineAt(mjml, parser.startIndex) });
      },
      onclosetag(name, isImplied) {
        if (!isMjmlTag(name)) return;
        const tag = open.pop();
        // htmlparser2 reports a self-closed `<mj-image />` as implied too: tell it by its `/>`.
        const selfClosed = mjml.slice(parser.startIndex, parser.endIndex + 1).endsWith('/>');
        if (tag && isImplied && !selfClosed) unclosed.push(tag);
      },
    },
    { recognizeCDATA: true, decodeEntities: false, recognizeSelfClosing: true, lowerCaseAttributeNames: false },
  );
  parser.end(mjml);
  return unclosed.sort((a, b) => a.line - b.line);
}

function isMjmlTag(name: string): boolean {
  return name === 'mjml' || name.startsWith('mj-');
}
