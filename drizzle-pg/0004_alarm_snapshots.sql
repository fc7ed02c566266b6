CREATE TABLE "alarm_snapshots" (
	"sha256" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"bytes" integer NOT NULL,
	"created_at" bigint NOT NULL,
	"body" "bytea" NOT NULL
);
--> statement-breakpoint
-- Added by hand (drizzle cannot say it): a camera's JPEG or PNG does not compress, so TOAST stores it out of
-- line without trying (as 0002 did for photos and reports).
ALTER TABLE "alarm_snapshots" ALTER COLUMN "body" SET STORAGE EXTERNAL;
