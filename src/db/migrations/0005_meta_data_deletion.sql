CREATE TABLE "deletion_request" (
	"confirmation_code" text PRIMARY KEY NOT NULL,
	"platform_user_id" text NOT NULL,
	"state" text DEFAULT 'received' NOT NULL,
	"channels_disabled" integer DEFAULT 0 NOT NULL,
	"user_ids_removed" integer DEFAULT 0 NOT NULL,
	"failure_reason" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "channel" ADD COLUMN "connected_by_meta_user_id" text;--> statement-breakpoint
CREATE INDEX "channel_connected_by_idx" ON "channel" USING btree ("connected_by_meta_user_id");