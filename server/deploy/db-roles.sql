-- PostgreSQL roles and database for lockcheck-server (docs/deployment.md).
-- Run once as a superuser:
--   sudo -u postgres psql -v ON_ERROR_STOP=1 -v app_password=SECRET -f db-roles.sql
--
-- lockcheck_owner: owns the database and the schema; NOLOGIN — migrations
--   run as a superuser session that switches to it (DATABASE_URL option
--   `-c role=lockcheck_owner`), so every table belongs to the owner.
-- lockcheck_app: what the service logs in as; no superuser, no CREATE on
--   the database or schema, only SELECT/INSERT/UPDATE on the owner's tables
--   and USAGE on its sequences (granted by default privileges, so tables of
--   later migrations are covered without another GRANT).
CREATE ROLE lockcheck_owner NOLOGIN;
CREATE ROLE lockcheck_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD :'app_password';
CREATE DATABASE lockcheck OWNER lockcheck_owner;
REVOKE ALL ON DATABASE lockcheck FROM PUBLIC;
GRANT CONNECT ON DATABASE lockcheck TO lockcheck_app;
\connect lockcheck
ALTER SCHEMA public OWNER TO lockcheck_owner;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO lockcheck_app;
ALTER DEFAULT PRIVILEGES FOR ROLE lockcheck_owner IN SCHEMA public
  GRANT SELECT, INSERT, UPDATE ON TABLES TO lockcheck_app;
ALTER DEFAULT PRIVILEGES FOR ROLE lockcheck_owner IN SCHEMA public
  GRANT USAGE ON SEQUENCES TO lockcheck_app;
