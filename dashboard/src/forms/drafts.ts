// Form drafts in sessionStorage: what the user typed survives a session that ends mid-edit
// (the 401 sends them to sign-in, and the form comes back filled) and a reload, but not
// the closing of the tab. Passwords are never kept.
import { useEffect } from 'react';
import type { FieldValues, UseFormWatch } from 'react-hook-form';

const PREFIX = 'edgepost:draft:';

/** The saved draft merged over the defaults (only keys the defaults have). */
export function readDraft<T extends FieldValues>(key: string, defaults: T): T {
  try {
    const saved = JSON.parse(sessionStorage.getItem(PREFIX + key) ?? 'null') as Partial<T> | null;
    if (!saved || typeof saved !== 'object') return defaults;
    const merged = { ...defaults };
    for (const name of Object.keys(defaults) as (keyof T)[]) {
      if (typeof saved[name] === typeof defaults[name]) merged[name] = saved[name] as T[keyof T];
    }
    return merged;
  } catch {
    return defaults;
  }
}

/** Saves the form's values on every change, leaving out the `secret` fields. */
export function useDraft<T extends FieldValues>(key: string, watch: UseFormWatch<T>, secret: readonly (keyof T)[] = []): void {
  useEffect(() => {
    const subscription = watch((values) => {
      const kept = Object.fromEntries(Object.entries(values).filter(([name]) => !secret.includes(name)));
      try {
        sessionStorage.setItem(PREFIX + key, JSON.stringify(kept));
      } catch {
        // Storage full or disabled: the draft is a convenience, the form still works.
      }
    });
    return () => subscription.unsubscribe();
  }, [key, watch, secret]);
}

/** Forgets a draft once the form it belongs to has been saved. */
export function clearDraft(key: string): void {
  sessionStorage.removeItem(PREFIX + key);
}
