/** Row ids are 32-bit integers in every database; a larger number is no row, not a query error. */
const MAX_ROW_ID = 2_147_483_647;

/** A positive row id written as digits, or undefined for anything else ("1e3", "-1", "9999999999"). */
export function parseRowId(text: string | undefined): number | undefined {
  if (!text || !/^\d{1,10}$/.test(text)) return undefined;
  const id = Number(text);
  return id >= 1 && id <= MAX_ROW_ID ? id : undefined;
}
