CREATE TABLE `campaign_sending_servers` (
	`campaign_id` integer NOT NULL,
	`sending_server_id` integer NOT NULL,
	`weight` integer DEFAULT 1 NOT NULL,
	`position` integer NOT NULL,
	PRIMARY KEY(`campaign_id`, `sending_server_id`),
	FOREIGN KEY (`campaign_id`) REFERENCES `campaigns`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`sending_server_id`) REFERENCES `sending_servers`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "campaign_sending_servers_weight" CHECK("campaign_sending_servers"."weight" >= 1)
);
--> statement-breakpoint
CREATE INDEX `campaign_sending_servers_server` ON `campaign_sending_servers` (`sending_server_id`);--> statement-breakpoint
ALTER TABLE `messages` ADD `sending_server_id` integer;--> statement-breakpoint
INSERT INTO `campaign_sending_servers` (`campaign_id`, `sending_server_id`, `weight`, `position`) SELECT `id`, `sending_server_id`, 1, 0 FROM `campaigns` WHERE `sending_server_id` IS NOT NULL;--> statement-breakpoint
UPDATE `campaigns` SET `sending_server_id` = NULL WHERE `sending_server_id` IS NOT NULL;
