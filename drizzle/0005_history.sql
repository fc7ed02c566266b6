CREATE TABLE `history_entities` (
	`key` integer PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`id` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `history_entities_kind_id_idx` ON `history_entities` (`kind`,`id`);--> statement-breakpoint
CREATE TABLE `history_keyframes` (
	`bucket` integer NOT NULL,
	`kind` text NOT NULL,
	`chunk` integer NOT NULL,
	`entries` integer NOT NULL,
	`data` blob NOT NULL,
	PRIMARY KEY(`bucket`, `kind`, `chunk`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `history_segments` (
	`bucket` integer NOT NULL,
	`entity` integer NOT NULL,
	`points` integer NOT NULL,
	`data` blob NOT NULL,
	PRIMARY KEY(`bucket`, `entity`)
) WITHOUT ROWID;
