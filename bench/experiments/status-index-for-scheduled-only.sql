-- Measures a fix for the home timeline: keep the (Status, PublishAt) index for scheduled posts only.
-- As a full index, SQLite (no ANALYZE statistics) prefers it for TimelineService.HomeAsync's
-- `"Id" IN (@ids1, …) AND "Status" = 2 AND "DeletedAt" IS NULL` and walks every published post
-- instead of looking up the 40 ids by primary key. Use: bench/run --apply-sql bench/experiments/status-index-for-scheduled-only.sql
DROP INDEX "IX_posts_Status_PublishAt";
CREATE INDEX "IX_posts_Status_PublishAt" ON "posts" ("Status", "PublishAt") WHERE "Status" = 1;
