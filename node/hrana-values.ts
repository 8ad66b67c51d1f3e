// Hrana values to and from what the libsql driver binds and returns. Integers travel as
// decimal strings and come back as bigints (safe-integer mode), so 64-bit ids survive the
// trip through JSON; floats stay floats, as sqld keeps them.
import type { HranaValue } from './hrana-protocol';

export type SqlValue = null | bigint | number | string | Uint8Array;

/** Turns a request value into what the driver binds. */
export function fromHrana(value: HranaValue): SqlValue {
  switch (value.type) {
    case 'null':
      return null;
    case 'integer':
      return BigInt(value.value);
    case 'float':
      return value.value;
    case 'text':
      return value.value;
    case 'blob':
      return Buffer.from(value.base64, 'base64');
  }
}

/** Turns a driver value (safe-integer mode) into a response value. */
export function toHrana(value: unknown): HranaValue {
  if (value === null || value === undefined) return { type: 'null' };
  if (typeof value === 'bigint') return { type: 'integer', value: value.toString() };
  if (typeof value === 'number') return { type: 'float', value };
  if (typeof value === 'string') return { type: 'text', value };
  if (value instanceof Uint8Array) return { type: 'blob', base64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  if (value instanceof ArrayBuffer) return { type: 'blob', base64: Buffer.from(value).toString('base64') };
  throw new TypeError(`The driver returned a value of unexpected type ${typeof value}`);
}
