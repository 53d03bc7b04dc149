-- Reverts 0001_init. Dropping a partitioned table drops its partitions.
-- gantry_schema_migrations belongs to the migrator and stays.
DROP TABLE IF EXISTS gantry_job_attempts;
DROP TABLE IF EXISTS gantry_job_history;
DROP TABLE IF EXISTS gantry_jobs;
DROP TABLE IF EXISTS gantry_queues;
