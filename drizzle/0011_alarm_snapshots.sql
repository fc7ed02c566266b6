CREATE TABLE `alarm_snapshots` (
	`sha256` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`bytes` integer NOT NULL,
	`created_at` integer NOT NULL,
	`body` blob NOT NULL
);
