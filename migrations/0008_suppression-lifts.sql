CREATE TABLE `suppression_lifts` (
	`email` text PRIMARY KEY NOT NULL,
	`lifted_at` integer NOT NULL
);
