-- Version 3 on PostgreSQL is a server-side function for submissions; SQLite runs in-process and
-- needs none. Kept so both backends carry the same version numbers.
SELECT 1;
