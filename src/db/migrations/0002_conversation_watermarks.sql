ALTER TABLE "conversation" ADD COLUMN "delivered_watermark" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "conversation" ADD COLUMN "read_watermark" timestamp with time zone;