// JSON text for SQLite's JSON functions (json_patch, json_each, ->>). JSON.stringify spells
// a lone UTF-16 surrogate as an escape (\ud800); SQLite's JSON functions decode it into
// invalid UTF-8, and the libSQL Node binding aborts the whole process when it reads that
// back. So lone surrogates become U+FFFD here, as TextEncoder would make them.

// An escape of a lone surrogate, not preceded by an escaped backslash. JSON.stringify
// writes paired surrogates as the characters themselves, so any such escape is lone.
const LONE_SURROGATE_ESCAPE = /(?<!\\)((?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/gi;

export function sqlJson(value: unknown): string {
  return JSON.stringify(value).replace(LONE_SURROGATE_ESCAPE, '$1\\ufffd');
}
