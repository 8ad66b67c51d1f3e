// The subscriber the preview is written to: its merge tags show these values, and the
// preview's caption names them. Apart from the compiler so the caption does not load it.
export const SAMPLE_SUBSCRIBER = { email: 'jane@example.com', name: 'Jane Doe', attributes: {} as Record<string, string> };
