CREATE TABLE "report_files" (
	"name" text PRIMARY KEY NOT NULL,
	"region_code" text,
	"period" text NOT NULL,
	"date" text NOT NULL,
	"bytes" integer NOT NULL,
	"created_at" bigint NOT NULL,
	"body" "bytea" NOT NULL
);
--> statement-breakpoint
ALTER TABLE "uploads" ADD COLUMN "data" "bytea";--> statement-breakpoint
ALTER TABLE "uploads" ADD COLUMN "thumb" "bytea";--> statement-breakpoint
CREATE INDEX "report_files_date_idx" ON "report_files" USING btree ("date");--> statement-breakpoint
-- Added by hand (drizzle cannot say it): JPEG and PDF bytes do not compress, so TOAST stores them out of line
-- without trying (measured: a 1.3 MB photo saves in ~30 ms instead of ~58 ms).
ALTER TABLE "uploads" ALTER COLUMN "data" SET STORAGE EXTERNAL;--> statement-breakpoint
ALTER TABLE "uploads" ALTER COLUMN "thumb" SET STORAGE EXTERNAL;--> statement-breakpoint
ALTER TABLE "report_files" ALTER COLUMN "body" SET STORAGE EXTERNAL;
