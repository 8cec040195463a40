-- Version 2 on SQLite rebuilt its first table into what version 1 here already is: nothing to do,
-- so both backends carry the same version numbers for the same schema.
SELECT 1;
