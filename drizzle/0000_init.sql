CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`role` text NOT NULL,
	`client_address` text,
	`action` text NOT NULL,
	`object_type` text NOT NULL,
	`object_id` text,
	`before` text,
	`after` text,
	`result` text NOT NULL,
	`reason` text,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_at_idx` ON `audit_log` (`at`);--> statement-breakpoint
CREATE TABLE `cameras` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text,
	`lng` real,
	`lat` real,
	`grid_code` text,
	`program` text,
	`stream_url` text,
	`is_unassigned` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `cameras_grid_idx` ON `cameras` (`grid_code`);--> statement-breakpoint
CREATE TABLE `departments` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`region_code` text,
	`categories` text DEFAULT '[]' NOT NULL,
	`phone` text
);
--> statement-breakpoint
CREATE TABLE `grids` (
	`code` text PRIMARY KEY NOT NULL,
	`community_code` text NOT NULL,
	`name` text NOT NULL,
	`geometry` text NOT NULL,
	`center_lng` real NOT NULL,
	`center_lat` real NOT NULL
);
--> statement-breakpoint
CREATE INDEX `grids_community_idx` ON `grids` (`community_code`);--> statement-breakpoint
CREATE TABLE `incident_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`incident_id` text NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`type` text NOT NULL,
	`from_state` text,
	`to_state` text,
	`note` text,
	`data` text
);
--> statement-breakpoint
CREATE INDEX `incident_events_incident_idx` ON `incident_events` (`incident_id`,`at`);--> statement-breakpoint
CREATE TABLE `incidents` (
	`id` text PRIMARY KEY NOT NULL,
	`category` text NOT NULL,
	`title` text NOT NULL,
	`detail` text,
	`lng` real NOT NULL,
	`lat` real NOT NULL,
	`priority` integer NOT NULL,
	`source` text NOT NULL,
	`reported_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	`address` text,
	`reporter` text,
	`phone` text,
	`grid_code` text,
	`state` text DEFAULT 'reported' NOT NULL,
	`assignee_kind` text,
	`assignee_id` text,
	`supervision` integer DEFAULT 0 NOT NULL,
	`satisfaction` integer,
	`updated_at` integer NOT NULL,
	`closed_at` integer
);
--> statement-breakpoint
CREATE INDEX `incidents_state_idx` ON `incidents` (`state`);--> statement-breakpoint
CREATE INDEX `incidents_reported_idx` ON `incidents` (`reported_at`);--> statement-breakpoint
CREATE INDEX `incidents_grid_idx` ON `incidents` (`grid_code`);--> statement-breakpoint
CREATE TABLE `meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`updated_at` integer DEFAULT (unixepoch() * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `regions` (
	`code` text PRIMARY KEY NOT NULL,
	`parent_code` text,
	`level` text NOT NULL,
	`name` text NOT NULL,
	`geometry` text,
	`center_lng` real,
	`center_lat` real
);
--> statement-breakpoint
CREATE INDEX `regions_parent_idx` ON `regions` (`parent_code`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`username` text NOT NULL,
	`display_name` text,
	`role` text NOT NULL,
	`password_hash` text NOT NULL,
	`failed_logins` integer DEFAULT 0 NOT NULL,
	`locked_until` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_username_unique` ON `users` (`username`);--> statement-breakpoint
CREATE TABLE `vehicles` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text,
	`kind` text,
	`department_id` text,
	`terminal_phone` text,
	`is_unassigned` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `vehicles_terminal_idx` ON `vehicles` (`terminal_phone`);--> statement-breakpoint
CREATE TABLE `workers` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text,
	`role` text,
	`grid_code` text,
	`phone` text,
	`is_unassigned` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `workers_grid_idx` ON `workers` (`grid_code`);