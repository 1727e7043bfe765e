DROP INDEX "channel_platform_external_uq";--> statement-breakpoint
CREATE UNIQUE INDEX "channel_platform_external_live_uq" ON "channel" USING btree ("platform","external_id") WHERE "channel"."state" <> 'disabled';--> statement-breakpoint
CREATE INDEX "channel_platform_external_idx" ON "channel" USING btree ("platform","external_id");