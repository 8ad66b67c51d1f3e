// The sending-server form's values, their checks as the user types, and the API bodies
// built from them. The checks are the API's: the driver's schema (checkDriverSettings)
// and the rate schemas, run on the same values the API will receive.
import type { FieldErrors, Resolver } from 'react-hook-form';
import type { components } from '../../api/schema';
import { checkDriverSettings } from '../../../../shared/drivers/driver-config';
import { domainRatesSchema, rateSchema, type Rate } from '../../../../shared/drivers/rate-limits';
import { driverFields, isSecret, type DriverName, type SettingField } from './driver-fields';

export type SendingServer = components['schemas']['SendingServer'];

export interface ServerFormValues {
  name: string;
  driver: DriverName;
  /** "50/s"; empty: unthrottled. */
  rate: string;
  domainRates: { domain: string; rate: string }[];
  /** The driver's settings as typed, nested as the API takes them (`config.dkim.domainName`). */
  config: Record<string, unknown>;
  /** Typed secrets; empty: keep the saved one (editing) or none (adding). */
  secrets: Record<string, unknown>;
  /** Saved secrets to forget (e.g. `user` and `pass` of a relay that no longer needs a login). */
  removeSecrets: string[];
}

/** The value at a dotted path of a nested object. */
function getPath(object: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((at, key) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined), object);
}

function setPath(object: Record<string, unknown>, keys: string[], value: unknown): void {
  const [key, ...rest] = keys;
  if (key === undefined) return;
  if (rest.length === 0) {
    object[key] = value;
    return;
  }
  const child = (object[key] ??= {}) as Record<string, unknown>;
  setPath(child, rest, value);
}

/** "50/second": a rate as the form shows it (and the API reads it back). */
export function rateText(rate: Rate | null | undefined): string {
  return rate ? `${rate.count}/${rate.per}` : '';
}

/** The form's starting values: the saved server's (secrets blank), or a new one's. */
export function formValuesOf(server: SendingServer | null, driver: DriverName = 'smtp'): ServerFormValues {
  const chosen = (server?.driver ?? driver) as DriverName;
  return {
    name: server?.name ?? '',
    driver: chosen,
    rate: rateText(server?.rate as Rate | null | undefined),
    domainRates: Object.entries(server?.domainRates ?? {}).map(([domain, rate]) => ({ domain, rate: rateText(rate as Rate) })),
    ...settingsValues(chosen, server?.config ?? null),
    removeSecrets: [],
  };
}

/** The config and (blank) secrets fields of a driver, from saved config or the defaults. */
export function settingsValues(driver: DriverName, config: Record<string, unknown> | null): Pick<ServerFormValues, 'config' | 'secrets'> {
  const values: Record<string, unknown> = { config: {}, secrets: {} };
  for (const field of driverFields[driver]) {
    const saved = config && !isSecret(field) ? getPath({ config }, field.path) : undefined;
    const text = saved === undefined || saved === null ? (config ? '' : (field.defaultValue ?? '')) : String(saved);
    setPath(values, field.path.split('.'), text);
  }
  return values as Pick<ServerFormValues, 'config' | 'secrets'>;
}

/** One part (`config` or `secrets`) of the settings as the API takes it: empty fields left out, numbers as numbers. */
export function settingsPart(driver: DriverName, values: ServerFormValues, part: 'config' | 'secrets'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of driverFields[driver]) {
    if (!field.path.startsWith(`${part}.`)) continue;
    const raw = getPath(values, field.path);
    if (typeof raw !== 'string' || raw.trim() === '') continue;
    // A number that does not parse stays text, so the schema names the mistake.
    const value = field.kind === 'number' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : isSecret(field) ? raw : raw.trim();
    setPath(out, field.path.split('.').slice(1), value);
  }
  return out;
}

/** `{ "gmail.com": "20/min" }` from the form's rows (blank rows left out). */
export function domainRatesOf(values: ServerFormValues): Record<string, string> {
  const rates: Record<string, string> = {};
  for (const row of values.domainRates) if (row.domain.trim() || row.rate.trim()) rates[row.domain.trim()] = row.rate.trim();
  return rates;
}

/** The fields of a driver whose problems a path names (`config.dkim` lands on the DKIM domain). */
export function fieldFor(driver: DriverName, path: string): SettingField | undefined {
  const fields = driverFields[driver];
  return fields.find((f) => f.path === path) ?? fields.find((f) => f.path.startsWith(`${path}.`));
}

type Errors = Record<string, unknown>;

function addError(errors: Errors, path: string, message: string): void {
  if (getPath(errors, path) === undefined) setPath(errors, path.split('.'), { type: 'validate', message });
}

function checkRates(values: ServerFormValues, errors: Errors): void {
  if (values.rate.trim()) {
    const parsed = rateSchema.safeParse(values.rate);
    if (!parsed.success) addError(errors, 'rate', parsed.error.issues[0]?.message ?? 'write a rate like 50/s');
  }
  const seen = new Set<string>();
  values.domainRates.forEach((row, index) => {
    if (!row.domain.trim() && !row.rate.trim()) return;
    const domain = row.domain.trim().toLowerCase();
    const key = domainRatesSchema.safeParse({ [domain]: { count: 1, per: 'second' } });
    if (!domain) addError(errors, `domainRates.${index}.domain`, 'Enter the recipient domain, e.g. gmail.com');
    else if (!key.success) addError(errors, `domainRates.${index}.domain`, 'Enter a domain name with a dot, e.g. gmail.com');
    else if (seen.has(domain)) addError(errors, `domainRates.${index}.domain`, `${domain} already has a rate above`);
    seen.add(domain);
    const rate = rateSchema.safeParse(row.rate);
    if (!rate.success) addError(errors, `domainRates.${index}.rate`, row.rate.trim() ? (rate.error.issues[0]?.message ?? 'write a rate like 20/min') : 'Enter a rate, e.g. 20/min');
  });
}

/**
 * The form's resolver: the name, the rates and the driver's own schema. While editing,
 * a secret left blank keeps its saved value (unless marked for removal), so what the
 * schema says about it is dropped.
 */
export function serverResolver(savedSecrets: readonly string[]): Resolver<ServerFormValues> {
  return async function resolveServerForm(values) {
    const errors: Errors = {};
    const name = values.name.trim();
    if (!name) addError(errors, 'name', 'Give the server a name');
    else if (name.length > 200) addError(errors, 'name', 'Use at most 200 characters');
    checkRates(values, errors);
    const checked = checkDriverSettings(values.driver, settingsPart(values.driver, values, 'config'), settingsPart(values.driver, values, 'secrets'));
    for (const problem of checked.ok ? [] : checked.problems) {
      const field = fieldFor(values.driver, problem.path);
      const blank = field ? String(getPath(values, field.path) ?? '').trim() === '' : false;
      const key = field && isSecret(field) ? field.path.slice('secrets.'.length) : null;
      if (key && blank && savedSecrets.includes(key) && !values.removeSecrets.includes(key)) continue;
      if (!field) {
        addError(errors, 'root.settings', `${problem.path}: ${problem.message}`);
        continue;
      }
      // zod's own words for a missing value ("Invalid input: expected string…") say less than the label.
      addError(errors, field.path, blank && problem.message.startsWith('Invalid input') ? `Enter the ${field.label.toLowerCase()}` : problem.message);
    }
    const failed = Object.keys(errors).length > 0;
    return failed ? { values: {}, errors: errors as FieldErrors<ServerFormValues> } : { values, errors: {} };
  };
}
