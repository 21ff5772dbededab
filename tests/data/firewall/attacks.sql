-- attacks.sql - queries the SQL firewall must REFUSE (tests/unit/u_firewall.c).
-- The caller may read only customers, orders and v_safe (and call vec_search);
-- "secret" stands for any dataset, table or file the caller must not see.
--
-- Format: every entry starts with a line "-- @ <name>"; the query is every following
-- line up to the next "-- @ " line (so a query may span lines and hold comments).
-- Lines before the first entry (this header) are ignored. Every entry must be refused
-- with -LH_EPERM, except entries whose name starts with "syntax:" (DuckDB cannot
-- parse them either), which may be refused with -LH_ESQL.

-- ==== file readers as table functions ====
-- @ read_parquet table function
SELECT * FROM read_parquet('/data/lake/secret/part-0.parquet')

-- @ read_parquet with a glob
SELECT * FROM read_parquet('/data/lake/*/*.parquet', union_by_name = true)

-- @ parquet_scan alias
SELECT * FROM parquet_scan('/data/lake/secret/part-0.parquet')

-- @ read_csv
SELECT * FROM read_csv('/etc/passwd', sep = ':', header = false)

-- @ read_csv_auto
SELECT * FROM read_csv_auto('/data/uploads/payroll.csv')

-- @ read_json
SELECT * FROM read_json('/data/uploads/users.json')

-- @ read_json_auto
SELECT * FROM read_json_auto('/data/uploads/users.json')

-- @ read_ndjson
SELECT * FROM read_ndjson('/data/uploads/events.ndjson')

-- @ read_text
SELECT * FROM read_text('/etc/hostname')

-- @ read_blob
SELECT * FROM read_blob('/data/catalog.db')

-- @ upper-case READ_PARQUET
SELECT * FROM READ_PARQUET('/data/lake/secret/part-0.parquet')

-- @ mixed-case Read_Parquet
SELECT * FROM Read_Parquet('/data/lake/secret/part-0.parquet')

-- @ quoted identifier "read_parquet"
SELECT * FROM "read_parquet"('/data/lake/secret/part-0.parquet')

-- @ table reader hidden next to an allowed table
SELECT c.* FROM customers c, read_csv('/data/uploads/payroll.csv') p

-- @ read_text called as a scalar function
SELECT read_text('/etc/hostname')

-- ==== file paths and globs as table names ====
-- @ string literal path
SELECT * FROM '/data/lake/secret/part-0.parquet'

-- @ relative string literal path
SELECT * FROM 'secret.parquet'

-- @ string literal glob
SELECT * FROM 'lake/*/*.parquet'

-- @ quoted identifier with a dot
SELECT * FROM "secret.csv"

-- @ URL as a table name
SELECT * FROM 's3://bucket/secret.parquet'

-- @ home-relative path
SELECT * FROM '~/secret.csv'

-- @ glob in a quoted identifier
SELECT * FROM "cust*"

-- @ glob table function
SELECT * FROM glob('/data/**')

-- ==== metadata and system functions ====
-- @ parquet_metadata
SELECT * FROM parquet_metadata('/data/lake/secret/part-0.parquet')

-- @ parquet_schema
SELECT * FROM parquet_schema('/data/lake/secret/part-0.parquet')

-- @ parquet_file_metadata
SELECT * FROM parquet_file_metadata('/data/lake/secret/part-0.parquet')

-- @ parquet_kv_metadata
SELECT * FROM parquet_kv_metadata('/data/lake/secret/part-0.parquet')

-- @ sniff_csv
SELECT * FROM sniff_csv('/data/uploads/payroll.csv')

-- @ query() table function running arbitrary SQL
SELECT * FROM query('SELECT * FROM secret')

-- @ query_table
SELECT * FROM query_table('secret')

-- @ json_execute_serialized_sql
SELECT * FROM json_execute_serialized_sql('{"statements":[]}')

-- @ internal macro lh_scan
SELECT * FROM lh_scan(['/data/lake/secret/part-0.parquet'])

-- @ internal name lh_cached
SELECT * FROM lh_cached('lh_cache.secret')

-- @ duckdb_tables
SELECT * FROM duckdb_tables()

-- @ duckdb_settings
SELECT * FROM duckdb_settings()

-- @ duckdb_secrets
SELECT * FROM duckdb_secrets()

-- @ pragma_table_info
SELECT * FROM pragma_table_info('secret')

-- @ pragma_database_list view
SELECT * FROM pragma_database_list

-- @ sqlite_master view
SELECT * FROM sqlite_master

-- @ getenv
SELECT getenv('HOME')

-- @ current_setting leaks the data folder
SELECT current_setting('allowed_directories')

-- @ getvariable
SELECT getvariable('secret_var')

-- @ json_serialize_sql as a scalar
SELECT json_serialize_sql('SELECT * FROM secret')

-- ==== names outside the allowed set ====
-- @ plain forbidden table
SELECT * FROM secret

-- @ forbidden table aliased as an allowed name
SELECT * FROM secret AS customers

-- @ forbidden table joined to an allowed one
SELECT * FROM customers c JOIN secret s ON s.id = c.id

-- @ forbidden quoted name
SELECT * FROM customers, "secret"

-- @ schema-qualified allowed name
SELECT * FROM main.customers

-- @ cache catalog
SELECT * FROM lh_cache.customers

-- @ three-part name
SELECT * FROM "memory"."main"."customers"

-- @ information_schema
SELECT * FROM information_schema.tables

-- @ temp catalog
SELECT * FROM temp.main.secret

-- @ time travel AT clause
SELECT * FROM customers AT (VERSION => 1)

-- @ DESCRIBE an allowed name
DESCRIBE customers

-- @ DESCRIBE a forbidden name
DESCRIBE secret

-- @ SUMMARIZE
SUMMARIZE customers

-- @ SHOW TABLES
SHOW TABLES

-- @ SHOW ALL TABLES
SHOW ALL TABLES

-- ==== schema-qualified functions ====
-- @ main.lower
SELECT main.lower(name) FROM customers

-- @ system.main.lower
SELECT system.main.lower(name) FROM customers

-- @ qualified table function
SELECT * FROM main.range(10)

-- ==== CTE tricks ====
-- @ CTE body reads a file
WITH x AS (SELECT * FROM read_csv('/etc/passwd')) SELECT * FROM x

-- @ CTE body reads a forbidden table
WITH x AS (SELECT * FROM secret) SELECT * FROM x

-- @ CTE named like its own source (resolves to the table)
WITH secret AS (SELECT * FROM secret) SELECT * FROM secret

-- @ CTE shadowing an allowed name with a forbidden body
WITH customers AS (SELECT * FROM secret) SELECT * FROM customers

-- @ forward reference to a later CTE (resolves to the table)
WITH x AS (SELECT * FROM secret), secret AS (SELECT 1 AS id) SELECT * FROM x

-- @ CTE defined inside a subquery used outside it
SELECT * FROM (WITH secret AS (SELECT 1 AS id) SELECT * FROM secret) a, secret

-- @ CTE defined in a CTE body used outside it
WITH a AS (WITH secret AS (SELECT 1 AS id) SELECT * FROM secret) SELECT * FROM secret

-- @ CTE of one set-operation branch used in another
(WITH secret AS (SELECT 1 AS id) SELECT * FROM secret) UNION ALL (SELECT id FROM secret)

-- @ recursive CTE whose anchor reads the table of the same name
WITH RECURSIVE secret AS (SELECT * FROM secret UNION ALL SELECT * FROM secret WHERE false)
SELECT * FROM secret

-- @ materialized CTE reading a file
WITH m AS MATERIALIZED (SELECT * FROM read_parquet('/data/x.parquet')) SELECT * FROM m

-- @ materialized CTE self reference
WITH secret AS MATERIALIZED (SELECT * FROM secret) SELECT * FROM secret

-- @ recursive step reading a file
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r, read_csv('/etc/passwd') WHERE n < 2)
SELECT * FROM r

-- ==== subqueries everywhere ====
-- @ scalar subquery in the select list
SELECT (SELECT content FROM read_text('/etc/hostname')) AS h

-- @ EXISTS in WHERE
SELECT * FROM customers WHERE EXISTS (FROM read_csv('/etc/passwd'))

-- @ IN subquery
SELECT * FROM customers WHERE id IN (SELECT id FROM secret)

-- @ ANY subquery
SELECT * FROM customers WHERE id = ANY (SELECT id FROM secret)

-- @ EXISTS over TABLE shorthand
SELECT 1 FROM customers WHERE EXISTS (TABLE secret)

-- @ HAVING subquery
SELECT country, count(*) FROM customers GROUP BY country HAVING count(*) > (SELECT count(*) FROM secret)

-- @ ORDER BY subquery
SELECT * FROM customers ORDER BY (SELECT max(id) FROM secret)

-- @ LIMIT subquery
SELECT * FROM customers LIMIT (SELECT count(*) FROM read_csv('/etc/passwd'))

-- @ OFFSET subquery
SELECT * FROM customers LIMIT 1 OFFSET (SELECT 1 FROM secret)

-- @ QUALIFY subquery
SELECT * FROM orders QUALIFY row_number() OVER () <= (SELECT count(*) FROM secret)

-- @ window PARTITION BY subquery
SELECT sum(amount) OVER (PARTITION BY (SELECT 1 FROM secret)) FROM orders

-- @ window frame offset subquery
SELECT sum(amount) OVER (ORDER BY id ROWS BETWEEN (SELECT 1 FROM secret) PRECEDING AND CURRENT ROW) FROM orders

-- @ window function argument subquery
SELECT lag(amount, (SELECT 1 FROM secret)) OVER (ORDER BY id) FROM orders

-- @ join condition subquery
SELECT * FROM customers c JOIN orders o ON o.customer_id = c.id AND EXISTS (SELECT 1 FROM secret)

-- @ CASE branch subquery
SELECT CASE WHEN id > 0 THEN (SELECT name FROM secret LIMIT 1) ELSE 'x' END FROM customers

-- @ CAST of a subquery
SELECT CAST((SELECT name FROM secret LIMIT 1) AS VARCHAR)

-- @ BETWEEN bound subquery
SELECT * FROM customers WHERE id BETWEEN 0 AND (SELECT max(id) FROM secret)

-- @ function argument subquery
SELECT coalesce(name, (SELECT name FROM secret LIMIT 1)) FROM customers

-- @ lambda body subquery
SELECT list_transform(tags, x -> (SELECT name FROM secret LIMIT 1)) FROM customers

-- @ list comprehension subquery
SELECT [x FOR x IN tags IF x IN (SELECT name FROM secret)] FROM customers

-- @ struct literal subquery
SELECT {'leak': (SELECT list(name) FROM secret)}

-- @ list literal subquery
SELECT [(SELECT name FROM read_text('/etc/hostname'))]

-- @ aggregate FILTER subquery
SELECT count(*) FILTER (WHERE id IN (SELECT id FROM secret)) FROM customers

-- @ aggregate ORDER BY subquery
SELECT string_agg(name, ',' ORDER BY (SELECT 1 FROM secret)) FROM customers

-- @ COLUMNS lambda subquery
SELECT COLUMNS(c -> c IN (SELECT name FROM secret)) FROM customers

-- @ star REPLACE subquery
SELECT * REPLACE ((SELECT name FROM secret LIMIT 1) AS name) FROM customers

-- @ DISTINCT ON subquery
SELECT DISTINCT ON ((SELECT 1 FROM secret)) * FROM customers

-- @ GROUP BY subquery
SELECT count(*) FROM customers GROUP BY (SELECT 1 FROM secret)

-- @ table function argument subquery
SELECT * FROM range((SELECT count(*) FROM secret))

-- @ unnest argument subquery
SELECT unnest((SELECT list(name) FROM secret))

-- @ VALUES row subquery
SELECT * FROM (VALUES ((SELECT name FROM secret LIMIT 1)))

-- @ lateral subquery
SELECT * FROM customers c, LATERAL (SELECT * FROM secret s WHERE s.id = c.id)

-- @ derived table
SELECT * FROM (SELECT * FROM (SELECT * FROM secret))

-- @ set operation branch
SELECT id FROM customers UNION ALL SELECT id FROM secret

-- @ set operation with a file reader
SELECT 1 UNION ALL FROM read_csv('/etc/passwd')

-- @ PIVOT over a forbidden source
SELECT * FROM secret PIVOT (sum(amount) FOR status IN ('a', 'b'))

-- @ PIVOT aggregate subquery
SELECT * FROM orders PIVOT (sum((SELECT 1 FROM secret)) FOR status IN ('a'))

-- @ PIVOT IN an enum type
SELECT * FROM orders PIVOT (sum(amount) FOR status IN my_enum)

-- @ PIVOT statement without IN list
PIVOT orders ON status USING sum(amount)

-- @ UNPIVOT over a forbidden source
UNPIVOT secret ON a, b INTO NAME k VALUE v

-- ==== statements other than one SELECT ====
-- @ two statements
SELECT 1; SELECT * FROM secret

-- @ second statement after a comment
SELECT * FROM customers; -- harmless
DROP TABLE customers

-- @ EXPLAIN
EXPLAIN SELECT * FROM secret

-- @ EXPLAIN ANALYZE
EXPLAIN ANALYZE SELECT * FROM customers

-- @ PRAGMA
PRAGMA show_tables

-- @ PRAGMA version
PRAGMA version

-- @ SET
SET enable_external_access = true

-- @ RESET
RESET allowed_directories

-- @ ATTACH
ATTACH '/data/catalog.db' AS cat

-- @ DETACH
DETACH lh_cache

-- @ USE
USE lh_cache

-- @ COPY TO
COPY customers TO '/tmp/leak.csv'

-- @ COPY query TO
COPY (SELECT * FROM customers) TO '/tmp/leak.parquet' (FORMAT parquet)

-- @ COPY FROM
COPY customers FROM '/etc/passwd'

-- @ INSERT
INSERT INTO customers SELECT * FROM secret

-- @ WITH ... INSERT
WITH x AS (SELECT * FROM customers) INSERT INTO secret SELECT * FROM x

-- @ UPDATE
UPDATE customers SET name = 'x'

-- @ DELETE
DELETE FROM customers

-- @ CREATE TABLE AS
CREATE TABLE leak AS SELECT * FROM secret

-- @ CREATE VIEW shadowing a dataset
CREATE VIEW customers AS SELECT * FROM secret

-- @ CREATE MACRO shadowing an allowed function
CREATE MACRO lower(x) AS (SELECT max(name) FROM secret)

-- @ DROP
DROP TABLE customers

-- @ EXPORT DATABASE
EXPORT DATABASE '/tmp/dump'

-- @ IMPORT DATABASE
IMPORT DATABASE '/tmp/dump'

-- @ LOAD
LOAD httpfs

-- @ INSTALL
INSTALL httpfs

-- @ CALL
CALL pragma_version()

-- @ BEGIN
BEGIN TRANSACTION

-- @ PREPARE
PREPARE p AS SELECT * FROM secret

-- @ EXECUTE
EXECUTE p

-- @ CHECKPOINT
CHECKPOINT

-- @ syntax: unicode escape spelling read_text
SELECT * FROM U&"\0072ead_text"('/etc/hostname')
