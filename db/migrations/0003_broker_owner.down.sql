DROP TABLE gantry_broker_owner;
