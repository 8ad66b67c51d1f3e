// The MJML compiler is passed in, not imported: `mjml` on Node, `mjml-browser` in the
// Worker. Both expose the same `mjml2html`.
export interface MjmlError {
  line: number;
  message: string;
  tagName?: string;
  formattedMessage?: string;
}

export interface MjmlResult {
  html: string;
  errors: MjmlError[];
}

export type Mjml2Html = (mjml: string, options?: Record<string, unknown>) => MjmlResult | Promise<MjmlResult>;
