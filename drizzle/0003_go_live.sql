CREATE TABLE `field_devices` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text,
	`sip_ha1` text,
	`disabled_at` integer,
	`created_at` integer NOT NULL,
	`last_seen_at` integer,
	`last_address` text
);
--> statement-breakpoint
CREATE TABLE `import_runs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`file_name` text,
	`sha256` text NOT NULL,
	`created` integer NOT NULL,
	`updated` integer NOT NULL,
	`unchanged` integer NOT NULL,
	`actor` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `import_runs_kind_idx` ON `import_runs` (`kind`,`at`);--> statement-breakpoint
ALTER TABLE `cameras` ADD `region_code` text;--> statement-breakpoint
ALTER TABLE `cameras` ADD `disabled_at` integer;--> statement-breakpoint
ALTER TABLE `display_tokens` ADD `last_used_at` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `region_code` text;--> statement-breakpoint
ALTER TABLE `users` ADD `disabled_at` integer;--> statement-breakpoint
ALTER TABLE `vehicles` ADD `plate` text;--> statement-breakpoint
ALTER TABLE `vehicles` ADD `terminal_auth_hash` text;--> statement-breakpoint
ALTER TABLE `vehicles` ADD `disabled_at` integer;--> statement-breakpoint
ALTER TABLE `workers` ADD `disabled_at` integer;