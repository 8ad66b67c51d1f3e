ALTER TABLE `sending_servers` ADD `check_requested_at` integer;--> statement-breakpoint
ALTER TABLE `sending_servers` ADD `checked_at` integer;--> statement-breakpoint
ALTER TABLE `sending_servers` ADD `check_problems` text;