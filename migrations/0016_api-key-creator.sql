ALTER TABLE `api_keys` ADD `created_by_user_id` integer REFERENCES users(id) ON DELETE SET NULL;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `created_by_api_key_id` integer;