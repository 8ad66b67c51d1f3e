ALTER TABLE `events` ADD `machine` integer;--> statement-breakpoint
ALTER TABLE `events` ADD `machine_reason` text;