"""`batchlint fix`: rewrite batchable loops into the Message Batches pattern."""
