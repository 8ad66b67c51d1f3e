// Why a campaign does not compile, one problem per fault, each naming the field and (where
// it can) the line, so the API can tell the marketer exactly what to fix before sending.
import type { ErrorCode } from '../errors';

export type TemplateField = 'subject' | 'preheader' | 'body' | 'fromAddress';

export interface TemplateProblem {
  field: TemplateField;
  message: string;
  /** 1-based line in the field as the marketer wrote it. */
  line?: number;
}

export class TemplateError extends Error {
  readonly code: ErrorCode = 'INVALID_TEMPLATE';

  constructor(
    readonly problems: TemplateProblem[],
    summary = 'the campaign does not compile',
  ) {
    super(`${summary}: ${problems.map(describeProblem).join('; ')}`);
    this.name = 'TemplateError';
  }
}

/** One problem as a sentence, e.g. `body, line 4: Liquid tag {% if %} is not closed`. */
export function describeProblem(problem: TemplateProblem): string {
  return `${problem.field}${problem.line ? `, line ${problem.line}` : ''}: ${problem.message}`;
}
