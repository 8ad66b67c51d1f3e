// Column defaults every table shares.
import { sql } from 'drizzle-orm';

/** Now, in Unix epoch milliseconds (an integer), as a column default. */
export const now = sql`(cast(unixepoch('subsec') * 1000 as integer))`;
