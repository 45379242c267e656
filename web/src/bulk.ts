// Lines for a bulk invite from pasted text or a CSV file: one person per
// line, the address first, optionally a role second; commas, semicolons or
// tabs separate; a header row ("email", "E-Mail", …) and blank lines are
// skipped; quotes around a cell are dropped. Two plain columns need no
// general CSV parser.

/** A role id of the deployment's catalogue. */
export type BulkRole = string;
export interface BulkLine {
  email: string;
  role: BulkRole | string;
}

export const MAX_BULK = 100;

export function parseBulk(text: string, defaultRole: BulkRole): BulkLine[] {
  const lines: BulkLine[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const cells = raw.split(/[,;\t]/).map((c) => c.trim().replace(/^"(.*)"$/, '$1').trim());
    const [email, role] = cells;
    if (!email) continue;
    if (lines.length === 0 && /^e-?mail/i.test(email) && !email.includes('@')) continue;
    lines.push({ email, role: role ? role.toLowerCase().replace(/[\s-]+/g, '_') : defaultRole });
  }
  return lines;
}
