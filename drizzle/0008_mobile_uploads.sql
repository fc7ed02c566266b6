CREATE TABLE `incident_attachments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`incident_id` text NOT NULL,
	`hash` text NOT NULL,
	`added_by` text NOT NULL,
	`added_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `incident_attachments_pair_idx` ON `incident_attachments` (`incident_id`,`hash`);--> statement-breakpoint
CREATE INDEX `incident_attachments_hash_idx` ON `incident_attachments` (`hash`);--> statement-breakpoint
CREATE TABLE `uploads` (
	`hash` text PRIMARY KEY NOT NULL,
	`mime` text NOT NULL,
	`bytes` integer NOT NULL,
	`width` integer NOT NULL,
	`height` integer NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `worker_reports` (
	`key` text PRIMARY KEY NOT NULL,
	`worker_id` text NOT NULL,
	`incident_id` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `worker_reports_worker_idx` ON `worker_reports` (`worker_id`,`at`);