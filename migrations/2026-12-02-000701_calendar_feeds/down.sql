DROP INDEX plans_by_parent;
DROP TABLE calendar_feeds;
