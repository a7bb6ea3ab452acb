/** Caller-supplied text (a header, a field name) as it may be echoed in an error: at most `max` characters. */
export function shortened(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}
