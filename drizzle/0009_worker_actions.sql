CREATE TABLE `worker_actions` (
	`key` text PRIMARY KEY NOT NULL,
	`worker_id` text NOT NULL,
	`incident_id` text NOT NULL,
	`action` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `worker_actions_incident_idx` ON `worker_actions` (`incident_id`);