"""Full-text search over items with access control applied inside the query."""
