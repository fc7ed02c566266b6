CREATE TABLE `display_tokens` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`token_hash` text NOT NULL,
	`name` text NOT NULL,
	`region_code` text,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `display_tokens_token_hash_unique` ON `display_tokens` (`token_hash`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id_hash` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`client_address` text,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE INDEX `sessions_user_idx` ON `sessions` (`user_id`);--> statement-breakpoint
CREATE INDEX `audit_object_idx` ON `audit_log` (`object_type`,`object_id`);--> statement-breakpoint
CREATE INDEX `audit_actor_idx` ON `audit_log` (`actor`);--> statement-breakpoint
CREATE UNIQUE INDEX `incidents_engaged_unit_idx` ON `incidents` (`assignee_kind`,`assignee_id`) WHERE state IN ('dispatched', 'on_scene') AND assignee_kind IN ('vehicle', 'worker');