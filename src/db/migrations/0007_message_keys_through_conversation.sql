ALTER TABLE "message" DROP CONSTRAINT "message_portfolio_id_portfolio_id_fk";
--> statement-breakpoint
ALTER TABLE "message" DROP CONSTRAINT "message_channel_id_channel_id_fk";
