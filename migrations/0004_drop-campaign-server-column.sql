PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_campaigns` (
	`id` integer PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`subject` text NOT NULL,
	`from_address` text NOT NULL,
	`format` text NOT NULL,
	`body` text NOT NULL,
	`send_at` integer,
	`status` text DEFAULT 'draft' NOT NULL,
	`status_reason` text,
	`claimed_by` text,
	`lease_until` integer,
	`cursor` integer DEFAULT 0 NOT NULL,
	`fanout_done` integer DEFAULT false NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	`created_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL,
	`updated_at` integer DEFAULT (cast(unixepoch('subsec') * 1000 as integer)) NOT NULL
);
--> statement-breakpoint
INSERT INTO `__new_campaigns`("id", "name", "subject", "from_address", "format", "body", "send_at", "status", "status_reason", "claimed_by", "lease_until", "cursor", "fanout_done", "started_at", "finished_at", "created_at", "updated_at") SELECT "id", "name", "subject", "from_address", "format", "body", "send_at", "status", "status_reason", "claimed_by", "lease_until", "cursor", "fanout_done", "started_at", "finished_at", "created_at", "updated_at" FROM `campaigns`;--> statement-breakpoint
DROP TABLE `campaigns`;--> statement-breakpoint
ALTER TABLE `__new_campaigns` RENAME TO `campaigns`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `campaigns_status_send_at` ON `campaigns` (`status`,`send_at`);