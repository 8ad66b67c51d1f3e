ALTER TABLE `sending_servers` ADD `rate` text;--> statement-breakpoint
ALTER TABLE `sending_servers` ADD `domain_rates` text DEFAULT '{}' NOT NULL;--> statement-breakpoint
-- Hand-written: carry each old messages-per-second value over as the shortest whole rate
-- (20 -> 20/second, 12.5 -> 750/minute, else per hour, else rounded down per day).
UPDATE `sending_servers` SET `rate` = CASE
	WHEN `rate_per_second` = CAST(`rate_per_second` AS integer) THEN json_object('count', CAST(`rate_per_second` AS integer), 'per', 'second')
	WHEN abs(`rate_per_second` * 60 - round(`rate_per_second` * 60)) < 1e-9 THEN json_object('count', CAST(round(`rate_per_second` * 60) AS integer), 'per', 'minute')
	WHEN abs(`rate_per_second` * 3600 - round(`rate_per_second` * 3600)) < 1e-9 THEN json_object('count', CAST(round(`rate_per_second` * 3600) AS integer), 'per', 'hour')
	ELSE json_object('count', max(1, CAST(`rate_per_second` * 86400 AS integer)), 'per', 'day')
END WHERE `rate_per_second` > 0;--> statement-breakpoint
ALTER TABLE `sending_servers` DROP COLUMN `rate_per_second`;
