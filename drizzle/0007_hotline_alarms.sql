CREATE TABLE `hotline_callbacks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`event_id` integer NOT NULL,
	`incident_id` text NOT NULL,
	`order_no` text NOT NULL,
	`payload` text NOT NULL,
	`state` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_at` integer NOT NULL,
	`last_error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `hotline_callbacks_event_idx` ON `hotline_callbacks` (`event_id`);--> statement-breakpoint
CREATE INDEX `hotline_callbacks_due_idx` ON `hotline_callbacks` (`state`,`next_at`);--> statement-breakpoint
ALTER TABLE `incidents` ADD `appeal_type` text;--> statement-breakpoint
ALTER TABLE `incidents` ADD `reply_text` text;--> statement-breakpoint
ALTER TABLE `incidents` ADD `reply_at` integer;--> statement-breakpoint
ALTER TABLE `incidents` ADD `reply_by` text;--> statement-breakpoint
ALTER TABLE `incidents` ADD `camera_id` text;--> statement-breakpoint
ALTER TABLE `incidents` ADD `snapshot_sha256` text;