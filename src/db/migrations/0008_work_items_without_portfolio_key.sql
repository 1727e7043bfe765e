ALTER TABLE "work_item" DROP CONSTRAINT "work_item_portfolio_id_portfolio_id_fk";
