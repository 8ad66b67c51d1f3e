// MJML's elements, what each may contain and its common attributes, for @codemirror/lang-xml's
// completion (mjml.io/documentation, MJML 5). Not a validator: mjml-browser checks the
// body as you type, and the API again on save.
import type { xml } from '@codemirror/lang-xml';

type XmlConfig = NonNullable<Parameters<typeof xml>[0]>;
type ElementSpec = NonNullable<XmlConfig['elements']>[number];

const ALIGN = ['left', 'center', 'right'];
const VERTICAL = ['top', 'middle', 'bottom'];
const TARGET = ['_blank', '_self'];
const SPACING = ['padding', 'padding-top', 'padding-bottom', 'padding-left', 'padding-right'];
const BOX = ['background-color', 'border', 'border-radius', ...SPACING];
const TYPE = ['color', 'font-family', 'font-size', 'font-weight', 'font-style', 'line-height', 'letter-spacing', 'text-decoration', 'text-transform'];

/** Elements that may sit in a column or a hero. */
const CONTENT = ['mj-text', 'mj-image', 'mj-button', 'mj-divider', 'mj-spacer', 'mj-social', 'mj-table', 'mj-navbar', 'mj-accordion', 'mj-carousel', 'mj-raw'];

type Attributes = NonNullable<ElementSpec['attributes']>;

const withAlign = (attributes: Attributes): Attributes => [...attributes, { name: 'align', values: ALIGN }];

const ELEMENTS: ElementSpec[] = [
  { name: 'mjml', top: true, children: ['mj-head', 'mj-body'], attributes: ['lang', 'dir', 'owa'] },
  { name: 'mj-head', children: ['mj-attributes', 'mj-breakpoint', 'mj-font', 'mj-html-attributes', 'mj-preview', 'mj-style', 'mj-title'] },
  { name: 'mj-attributes', children: ['mj-all', 'mj-class', 'mj-text', 'mj-button', 'mj-section', 'mj-column', 'mj-image'] },
  { name: 'mj-all', attributes: ['font-family', 'font-size', 'color', 'line-height', ...SPACING] },
  { name: 'mj-class', attributes: ['name', ...TYPE, ...BOX] },
  { name: 'mj-breakpoint', attributes: ['width'] },
  { name: 'mj-font', attributes: ['name', 'href'] },
  { name: 'mj-html-attributes', children: [] },
  { name: 'mj-preview', textContent: ['Shown after the subject in the inbox'] },
  { name: 'mj-style', attributes: [{ name: 'inline', values: ['inline'] }] },
  { name: 'mj-title', textContent: [] },
  { name: 'mj-body', children: ['mj-section', 'mj-wrapper', 'mj-hero', 'mj-raw'], attributes: ['background-color', 'width'] },
  { name: 'mj-wrapper', children: ['mj-section', 'mj-hero', 'mj-raw'], attributes: [...BOX, 'background-url', { name: 'full-width', values: ['full-width'] }, { name: 'text-align', values: ALIGN }] },
  {
    name: 'mj-section',
    children: ['mj-column', 'mj-group', 'mj-raw'],
    attributes: [...BOX, 'background-url', 'background-size', 'background-repeat', { name: 'direction', values: ['ltr', 'rtl'] }, { name: 'full-width', values: ['full-width'] }, { name: 'text-align', values: ALIGN }],
  },
  { name: 'mj-group', children: ['mj-column', 'mj-raw'], attributes: ['width', 'background-color', { name: 'direction', values: ['ltr', 'rtl'] }, { name: 'vertical-align', values: VERTICAL }] },
  { name: 'mj-column', children: CONTENT, attributes: ['width', ...BOX, 'inner-background-color', { name: 'vertical-align', values: VERTICAL }] },
  {
    name: 'mj-hero',
    children: CONTENT,
    attributes: [{ name: 'mode', values: ['fixed-height', 'fluid-height'] }, 'height', 'background-url', 'background-width', 'background-height', 'background-color', ...SPACING, { name: 'vertical-align', values: VERTICAL }],
  },
  { name: 'mj-text', textContent: [], attributes: withAlign([...TYPE, 'container-background-color', 'height', ...SPACING]) },
  {
    name: 'mj-button',
    textContent: [],
    attributes: withAlign(['href', { name: 'target', values: TARGET }, 'rel', 'title', ...TYPE, ...BOX, 'inner-padding', 'width', 'height', 'container-background-color']),
  },
  { name: 'mj-image', attributes: withAlign(['src', 'alt', 'href', { name: 'target', values: TARGET }, 'title', 'width', 'height', 'border', 'border-radius', ...SPACING, 'fluid-on-mobile']) },
  { name: 'mj-divider', attributes: withAlign(['border-color', { name: 'border-style', values: ['solid', 'dashed', 'dotted'] }, 'border-width', 'width', ...SPACING]) },
  { name: 'mj-spacer', attributes: ['height', 'container-background-color'] },
  { name: 'mj-social', children: ['mj-social-element'], attributes: withAlign([{ name: 'mode', values: ['horizontal', 'vertical'] }, 'icon-size', 'font-size', 'color', ...SPACING]) },
  {
    name: 'mj-social-element',
    textContent: [],
    attributes: [{ name: 'name', values: ['facebook', 'x', 'instagram', 'linkedin', 'youtube', 'pinterest', 'github', 'mastodon'] }, 'href', 'src', 'alt', 'background-color', 'color'],
  },
  { name: 'mj-table', textContent: [], attributes: withAlign(['width', 'border', 'cellpadding', 'cellspacing', ...TYPE, ...SPACING]) },
  { name: 'mj-navbar', children: ['mj-navbar-link'], attributes: withAlign(['hamburger', 'base-url']) },
  { name: 'mj-navbar-link', textContent: [], attributes: ['href', { name: 'target', values: TARGET }, ...TYPE, ...SPACING] },
  { name: 'mj-accordion', children: ['mj-accordion-element'], attributes: ['border', 'font-family', 'icon-color'] },
  { name: 'mj-accordion-element', children: ['mj-accordion-title', 'mj-accordion-text'], attributes: ['background-color'] },
  { name: 'mj-accordion-title', textContent: [], attributes: [...TYPE, 'background-color', ...SPACING] },
  { name: 'mj-accordion-text', textContent: [], attributes: [...TYPE, 'background-color', ...SPACING] },
  { name: 'mj-carousel', children: ['mj-carousel-image'], attributes: withAlign(['icon-width', 'thumbnails']) },
  { name: 'mj-carousel-image', attributes: ['src', 'alt', 'href', 'title'] },
  { name: 'mj-raw', textContent: [] },
];

/** The lang-xml configuration that completes MJML's elements and attributes. */
export const mjmlSchema: XmlConfig = {
  elements: ELEMENTS,
  attributes: [{ name: 'css-class', global: true }, { name: 'mj-class', global: true }],
};
