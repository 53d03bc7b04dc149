DROP TABLE gantry_job_ids;
