// The one schema both planes use, one file per domain under ./tables. Times are Unix epoch
// milliseconds (integers): cheap to compare and index, and identical in SQLite, libSQL and
// Turso. drizzle-kit reads this file (drizzle.config.ts) and generates migrations/ from it.
export * from './tables/access';
export * from './tables/analytics';
export * from './tables/audience';
export * from './tables/feedback';
export * from './tables/sending';
