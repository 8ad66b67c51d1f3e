CREATE TABLE `campaign_event_counts` (
	`campaign_id` integer NOT NULL,
	`dimension` text NOT NULL,
	`key` text NOT NULL,
	`type` text NOT NULL,
	`total` integer DEFAULT 0 NOT NULL,
	`human_total` integer DEFAULT 0 NOT NULL,
	`messages` integer DEFAULT 0 NOT NULL,
	`human_messages` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`campaign_id`, `dimension`, `key`, `type`)
);
--> statement-breakpoint
CREATE TABLE `campaign_message_counts` (
	`campaign_id` integer NOT NULL,
	`domain` text NOT NULL,
	`status` text NOT NULL,
	`n` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`campaign_id`, `domain`, `status`)
);
--> statement-breakpoint
CREATE TABLE `event_rollup` (
	`id` integer PRIMARY KEY NOT NULL,
	`last_event_id` integer DEFAULT 0 NOT NULL,
	CONSTRAINT "event_rollup_one_row" CHECK("event_rollup"."id" = 1)
);
