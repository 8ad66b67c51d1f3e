CREATE TABLE `import_files` (
	`job_id` integer PRIMARY KEY NOT NULL,
	`csv` text NOT NULL,
	FOREIGN KEY (`job_id`) REFERENCES `import_jobs`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `import_jobs_status` ON `import_jobs` (`status`);--> statement-breakpoint
ALTER TABLE `import_jobs` DROP COLUMN `csv`;