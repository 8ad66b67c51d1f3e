// Merge-tag help: the Liquid tags every message can use (DESIGN.md, "Templates"), each a
// button that writes it at the body's cursor.
import { Button, Disclosure, DisclosurePanel, Heading } from 'react-aria-components';

const TAGS: { tag: string; what: string }[] = [
  { tag: '{{ subscriber.name | default: "friend" }}', what: 'Name, or "friend" when it is empty' },
  { tag: '{{ subscriber.email }}', what: 'Email address' },
  { tag: '{{ subscriber.name }}', what: 'Name (may be empty)' },
  { tag: '{{ subscriber.attributes.city }}', what: 'An attribute (replace city with its key)' },
  { tag: '{{ campaign.name }}', what: "This campaign's name" },
  { tag: '{{ unsubscribe_url }}', what: 'Unsubscribe link (put it in an href)' },
  { tag: '{{ preferences_url }}', what: 'Preferences link' },
  { tag: '{% if subscriber.name %}…{% endif %}', what: 'Only when there is a name' },
];

/** The tags as written at the cursor: the `…` of a block becomes nothing to fill in later. */
function insertion(tag: string): string {
  return tag.replace('…', '');
}

export function MergeTagsPanel({ onInsert }: { onInsert(text: string): void }) {
  return (
    <Disclosure className="merge-tags" defaultExpanded>
      <Heading level={3}>
        <Button slot="trigger" className="disclosure-trigger">
          Merge tags
        </Button>
      </Heading>
      <DisclosurePanel>
        <p className="hint">
          Liquid, filled in for each subscriber; HTML in their values is escaped. Choose one to insert it at the cursor.
        </p>
        <ul className="merge-tag-list">
          {TAGS.map(({ tag, what }) => (
            <li key={tag}>
              <Button className="merge-tag" onPress={() => onInsert(insertion(tag))} aria-label={`Insert ${tag}: ${what}`}>
                <code>{tag}</code>
              </Button>
              <span>{what}</span>
            </li>
          ))}
        </ul>
      </DisclosurePanel>
    </Disclosure>
  );
}
