CREATE TABLE `report_files` (
	`name` text PRIMARY KEY NOT NULL,
	`region_code` text,
	`period` text NOT NULL,
	`date` text NOT NULL,
	`bytes` integer NOT NULL,
	`created_at` integer NOT NULL,
	`body` blob NOT NULL
);
--> statement-breakpoint
CREATE INDEX `report_files_date_idx` ON `report_files` (`date`);--> statement-breakpoint
ALTER TABLE `uploads` ADD `data` blob;--> statement-breakpoint
ALTER TABLE `uploads` ADD `thumb` blob;