// Renders a planned part (template-plan.ts) for one recipient, giving the text the full
// engine would give. Outputs and tags are rendered by liquidjs, in the context
// `engine.renderSync` would make for the part. An output seen before in this render reuses
// its text and charges the part's memory budget what liquidjs charged for it, so budgets
// fail exactly where they did; a tag that may write to the scope makes it forget them all.
// Tracked links are empty slots, filled with signed URLs once the message is signed.
import { Context, RenderError, toValueSync, type Output, type Template } from 'liquidjs';
import type { LinkTracker, SwapMarkers } from './link-tracker';
import type { PlanStep, TemplatePlan } from './template-plan';
import { tidyPieces } from './tidy-text';

/** What the parts of one render share. */
export interface PlanRun {
  /** The Liquid scope of the render. */
  scope: object;
  links: LinkTracker;
  /** The open pixel's `<img>` (and the honeypot link); '' when the message is not tracked. */
  pixel: string;
  /** The hidden preheader block; '' when none. */
  preheader: string;
  /** Outputs already rendered, by key, while nothing can have changed the scope. */
  outputs: Map<string, RenderedOutput>;
}

export interface RenderedOutput {
  text: string;
  /** What rendering it charged the memory budget. */
  charged: number;
}

/** A rendered part whose tracked links are still to be filled in. */
export interface PlannedPart {
  plan: TemplatePlan;
  /** One per step of the plan, as far as the render went. */
  pieces: string[];
  /** Pairs: a slot in `pieces`, then the tracked URL's index that goes there. */
  slots: number[];
  /** Pieces rendered by tags, which may hold link markers. */
  tagged: number[];
}

type Limiter = Context['memoryLimit'];

/** Renders a plan; throws liquidjs's own errors (RenderError), as the engine would. */
export function renderPlan(plan: TemplatePlan, run: PlanRun): PlannedPart {
  const part: PlannedPart = { plan, pieces: [], slots: [], tagged: [] };
  const budget = new MeteredBudget(plan.engine, run.scope);
  let changedScope = false;
  for (const step of plan.steps) {
    switch (step.kind) {
      case 'text':
        part.pieces.push(step.text);
        break;
      case 'output':
        part.pieces.push(outputText(step.output, step.key, budget, run));
        break;
      case 'link': {
        const url = typeof step.href === 'string' ? step.href : renderUrl(step.href, budget, run);
        const tracked = run.links.track(url, typeof step.href === 'string');
        if (typeof tracked === 'string') part.pieces.push(step.encode(tracked));
        else part.slots.push(part.pieces.push('') - 1, tracked);
        break;
      }
      case 'pixel':
        part.pieces.push(run.pixel);
        break;
      case 'preheader':
        part.pieces.push(run.preheader);
        break;
      case 'tag':
        part.tagged.push(part.pieces.push(renderTemplate(step.template, budget)) - 1);
        if (!step.keepsScope) {
          run.outputs.clear();
          changedScope = true;
        }
        // A top-level {% break %} or {% continue %} ends the part, as in liquidjs's render loop.
        if (budget.ctx.breakCalled || budget.ctx.continueCalled) return endPart(part, changedScope, run);
        break;
    }
  }
  return endPart(part, changedScope, run);
}

function endPart(part: PlannedPart, changedScope: boolean, run: PlanRun): PlannedPart {
  // What this part assigned is not in the next part's context.
  if (changedScope) run.outputs.clear();
  return part;
}

/**
 * A finished part: its text, and the same text in pieces, merged text (even indices, often
 * '') and the plan's static text (odd indices) in turn. A static piece is the plan's own
 * string, the same for every recipient, so an encoder can do its work on it once per
 * campaign (sender/mime/quoted-printable-pieces.ts).
 */
export interface TextPieces {
  text: string;
  pieces: string[];
  /** The plan rendered, the same object in every render of the part: a key for that work. */
  plan: TemplatePlan;
}

/**
 * The part's text: slots filled with the signed click URLs (written as they are, like the
 * markers they replace), markers swapped in what tags wrote, tidied when its plan says so.
 */
export function finishPart(part: PlannedPart, signed: SwapMarkers): TextPieces {
  const { plan, pieces, slots, tagged } = part;
  for (let i = 0; i < slots.length; i += 2) pieces[slots[i]!] = signed.clickUrls[slots[i + 1]!]!;
  for (const i of tagged) pieces[i] = signed(pieces[i]!);
  return { ...(plan.inside ? tidyPieces(pieces, plan.inside) : alternate(pieces, plan.steps)), plan };
}

/** The rendered steps as merged and static pieces in turn: a text step is static, everything else merged. */
function alternate(rendered: readonly string[], steps: readonly PlanStep[]): { text: string; pieces: string[] } {
  const split = [''];
  for (let i = 0; i < rendered.length; i++) {
    if (steps[i]!.kind === 'text') split.push(rendered[i]!, '');
    else split[split.length - 1] += rendered[i]!;
  }
  return { text: split.join(''), pieces: split };
}

/** A link's URL template, rendered in the context of the part that holds the link, as the link tag does. */
function renderUrl(plan: TemplatePlan, budget: MeteredBudget, run: PlanRun): string {
  let url = '';
  for (const step of plan.steps) {
    if (step.kind === 'text') url += step.text;
    else if (step.kind === 'output') url += outputText(step.output, step.key, budget, run);
  }
  return url;
}

function outputText(output: Output, key: string | null, budget: MeteredBudget, run: PlanRun): string {
  const seen = key === null ? undefined : run.outputs.get(key);
  if (seen) {
    if (seen.charged > 0) charge(budget.ctx, seen.charged, output);
    return seen.text;
  }
  const before = budget.charged;
  const text = renderTemplate(output, budget);
  if (key !== null) run.outputs.set(key, { text, charged: budget.charged - before });
  return text;
}

/** One template through liquidjs's render loop: its checks, its errors, its output. */
function renderTemplate(template: Template, budget: MeteredBudget): string {
  return String(toValueSync(budget.engine.renderer.renderTemplates([template], budget.ctx)));
}

function charge(ctx: Context, count: number, output: Output): void {
  try {
    ctx.memoryLimit.use(count);
  } catch (err) {
    throw new RenderError(err as Error, output);
  }
}

/** A part's context, whose memory budget this stands in for (liquidjs calls `use` and `check`), counting what it is charged. */
class MeteredBudget {
  charged = 0;
  readonly ctx: Context;
  private readonly limit: Limiter;

  constructor(
    readonly engine: TemplatePlan['engine'],
    scope: object,
  ) {
    this.ctx = new Context(scope, engine.options, { sync: true }, { liquid: engine });
    this.limit = this.ctx.memoryLimit;
    this.ctx.memoryLimit = this as unknown as Limiter;
  }

  use(count: number): void {
    this.limit.use(count);
    if (+count > 0) this.charged += +count;
  }

  check(count: number): void {
    this.limit.check(count);
  }
}
