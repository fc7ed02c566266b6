CREATE TABLE `audit_denials` (
	`minute` integer NOT NULL,
	`kind` text NOT NULL,
	`source` text NOT NULL,
	`actor` text DEFAULT '' NOT NULL,
	`count` integer NOT NULL,
	`last_at` integer NOT NULL,
	PRIMARY KEY(`minute`, `kind`, `source`, `actor`)
);
--> statement-breakpoint
CREATE INDEX `audit_denials_minute_idx` ON `audit_denials` (`minute`);--> statement-breakpoint
ALTER TABLE `incidents` ADD `source_ref` text;--> statement-breakpoint
-- Every incident so far was keyed by its source's id: that id is its source reference.
UPDATE `incidents` SET `source_ref` = `id`;--> statement-breakpoint
CREATE UNIQUE INDEX `incidents_source_ref_idx` ON `incidents` (`source`,`source_ref`);