/** Small shared pieces: labelled fields with their server error, messages, number formats. */
import type { ComponentChildren } from 'preact';
import { ApiProblem, type FieldError } from './api.ts';

export function fieldId(name: string): string {
  return `f-${name}`;
}

/** A label, a control (given as children, with id = fieldId(name)) and the server's message for it. */
export function Field(props: {
  name: string;
  label: string;
  error?: string;
  hint?: string;
  children: ComponentChildren;
}) {
  const id = fieldId(props.name);
  return (
    <div class={`field${props.error ? ' invalid' : ''}`}>
      <label for={id}>{props.label}</label>
      {props.children}
      {props.hint && (
        <small class="hint" id={`${id}-hint`}>
          {props.hint}
        </small>
      )}
      {props.error && (
        <p class="field-error" id={`${id}-error`} data-field={props.name}>
          {props.error}
        </p>
      )}
    </div>
  );
}

/** aria attributes for a control whose field may carry an error. */
export function describedBy(name: string, error: string | undefined, hint = false) {
  const id = fieldId(name);
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return {
    id,
    name,
    'aria-invalid': error ? ('true' as const) : undefined,
    'aria-describedby': ids || undefined,
  };
}

/** Field errors by path (the first message for each). */
export function errorsByPath(errors: FieldError[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors) out[e.path] ??= e.message;
  return out;
}

export function Alert(props: { error: unknown }) {
  if (!props.error) return null;
  const e = props.error;
  const text =
    e instanceof ApiProblem
      ? e.detail
      : e instanceof Error
        ? e.message
        : typeof e === 'string'
          ? e
          : 'Something went wrong.';
  return (
    <p class="alert" role="alert">
      {text}
    </p>
  );
}

export function Status(props: { children: ComponentChildren }) {
  return (
    <p class="status" role="status">
      {props.children}
    </p>
  );
}

const nf = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
export const num = (n: number | undefined | null): string =>
  n === undefined || n === null ? '–' : nf.format(n);

export function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime())
    ? iso
    : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** A `YYYY-MM-DD` date `days` ago (local calendar). */
export function daysAgo(days: number): string {
  const d = new Date();
  d.setDate(d.getDate() - days);
  return isoDate(d);
}

export function isoDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** The day after a `YYYY-MM-DD` (the API's `to` is exclusive; the console's pickers are inclusive). */
export function nextDay(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return isoDate(new Date(y!, m! - 1, d! + 1));
}

/** `datetime-local` value → RFC 3339 with the browser's offset at that moment. */
export function localInputToRfc3339(value: string): string {
  if (!value) return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const p = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  const secs = value.length > 16 ? '' : ':00';
  return `${value}${secs}${sign}${p(off / 60)}:${p(off % 60)}`;
}

/** RFC 3339 → `datetime-local` value in the browser's zone. */
export function rfc3339ToLocalInput(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${isoDate(d)}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function nowLocalInput(): string {
  return rfc3339ToLocalInput(new Date().toISOString());
}

/** A table's horizontal scroller: focusable and named, so a keyboard can scroll it on a phone. */
export function Scroll(props: { label: string; children: ComponentChildren }) {
  return (
    <div class="scroll" tabIndex={0} role="region" aria-label={props.label}>
      {props.children}
    </div>
  );
}
