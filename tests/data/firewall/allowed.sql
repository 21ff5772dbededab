-- allowed.sql - legitimate analytics queries the SQL firewall must ALLOW
-- (tests/unit/u_firewall.c). The caller may read only the names customers, orders
-- and v_safe; everything else is built from those, CTEs and allow-listed functions.
--
-- Format: every entry starts with a line "-- @ <name>"; the query is every following
-- line up to the next "-- @ " line (so a query may span lines and hold comments).
-- Lines before the first entry (this header) are ignored.

-- @ plain select from an allowed dataset
SELECT * FROM customers

-- @ from-first syntax
FROM orders

-- @ TABLE shorthand
TABLE v_safe

-- @ projection, filter, order, limit
SELECT id, name, country FROM customers WHERE country = 'FR' AND id > 10 ORDER BY name DESC NULLS LAST LIMIT 20 OFFSET 5

-- @ aggregates with GROUP BY and HAVING
SELECT customer_id, count(*) AS n, sum(amount) AS total, avg(amount), min(amount), max(amount),
       median(amount), stddev(amount), variance(amount), approx_count_distinct(status)
FROM orders
GROUP BY customer_id
HAVING sum(amount) > 100

-- @ GROUP BY ALL / ORDER BY ALL
SELECT status, count(*) FROM orders GROUP BY ALL ORDER BY ALL

-- @ inner join of two allowed names
SELECT c.name, o.amount FROM customers c JOIN orders o ON o.customer_id = c.id WHERE o.status <> 'void'

-- @ left join with USING and comma join
SELECT * FROM customers LEFT JOIN orders USING (id), v_safe

-- @ semi, anti, asof and positional joins
SELECT * FROM customers c SEMI JOIN orders o ON o.customer_id = c.id
UNION ALL
SELECT * FROM customers c ANTI JOIN orders o ON o.customer_id = c.id

-- @ asof join
SELECT * FROM orders o ASOF JOIN v_safe v ON o.customer_id = v.id AND o.ordered_at >= v.ts

-- @ CTE chain
WITH big AS (SELECT * FROM orders WHERE amount > 100),
     per_customer AS (SELECT customer_id, sum(amount) AS total FROM big GROUP BY customer_id)
SELECT c.name, p.total FROM per_customer p JOIN customers c ON c.id = p.customer_id

-- @ CTE shadowing a dataset name (its body is checked too)
WITH orders AS (SELECT * FROM orders WHERE status = 'paid') SELECT count(*) FROM orders

-- @ materialized CTEs
WITH a AS MATERIALIZED (SELECT id FROM customers), b AS (SELECT * FROM a), c AS MATERIALIZED (SELECT * FROM b)
SELECT * FROM c

-- @ recursive CTE
WITH RECURSIVE chain(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM chain WHERE n < 10)
SELECT n, (SELECT count(*) FROM orders WHERE customer_id = n) AS orders FROM chain

-- @ CTE used inside a nested subquery
WITH vip AS (SELECT id FROM customers WHERE country = 'DE')
SELECT * FROM orders WHERE customer_id IN (SELECT id FROM (SELECT * FROM vip) v)

-- @ window functions
SELECT id, customer_id,
       row_number() OVER w, rank() OVER w, dense_rank() OVER w, percent_rank() OVER w, cume_dist() OVER w,
       ntile(4) OVER w, lag(amount, 1, 0) OVER w, lead(amount) OVER w,
       first_value(amount) OVER w, last_value(amount) OVER w,
       sum(amount) OVER (PARTITION BY customer_id ORDER BY ordered_at ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)
FROM orders
WINDOW w AS (PARTITION BY customer_id ORDER BY ordered_at)

-- @ QUALIFY
SELECT * FROM orders QUALIFY row_number() OVER (PARTITION BY customer_id ORDER BY amount DESC) = 1

-- @ scalar, EXISTS and IN subqueries over allowed names
SELECT name,
       (SELECT max(amount) FROM orders o WHERE o.customer_id = c.id) AS biggest
FROM customers c
WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)
  AND c.id NOT IN (SELECT id FROM v_safe)
  AND c.id > ANY (SELECT customer_id FROM orders)

-- @ derived table and lateral subquery
SELECT * FROM (SELECT customer_id, sum(amount) s FROM orders GROUP BY 1) t,
     LATERAL (SELECT t.s * 2 AS doubled) l

-- @ CASE, CAST, COALESCE, NULLIF, BETWEEN, IS NULL
SELECT CASE WHEN amount > 100 THEN 'big' WHEN amount BETWEEN 10 AND 100 THEN 'mid' ELSE 'small' END AS size,
       CAST(amount AS INTEGER), amount::VARCHAR, TRY_CAST(status AS INTEGER),
       COALESCE(status, 'none'), NULLIF(status, ''), status IS NULL, status IS NOT NULL,
       status IS DISTINCT FROM 'x', NOT (amount > 5)
FROM orders

-- @ string functions
SELECT lower(name), upper(name), length(name), substr(name, 1, 3), substring(name FROM 2 FOR 3),
       trim(name), ltrim(name), rtrim(name), TRIM(BOTH 'x' FROM name), replace(name, 'a', 'b'),
       concat(name, '!'), name || '?', concat_ws('-', name, country),
       starts_with(name, 'A'), contains(name, 'b'), split_part(email, '@', 2), left(name, 2), right(name, 2),
       lpad(name, 10, '*'), rpad(name, 10, '*'), strpos(name, 'a'), POSITION('a' IN name),
       md5(email), sha256(email), hash(email), reverse(name), string_split(email, '@')
FROM customers

-- @ pattern matching
SELECT * FROM customers
WHERE name LIKE 'A%' OR name ILIKE '%b%' OR name NOT LIKE 'x%' OR email SIMILAR TO '.*@example\.com'
   OR regexp_matches(email, '^[a-z]+@') OR name GLOB 'A*' OR name LIKE 'a!%' ESCAPE '!'

-- @ regexp functions
SELECT regexp_replace(email, '@.*', ''), regexp_extract(email, '([a-z]+)@', 1) FROM customers

-- @ numeric functions and operators
SELECT abs(amount), round(amount, 2), floor(amount), ceil(amount), sqrt(amount), ln(amount + 1), log(amount + 1),
       exp(1), power(amount, 2), amount ^ 2, amount ** 2, greatest(amount, 10), least(amount, 10),
       amount % 7, amount // 3, -amount, amount * 1.5 / 2 - 1 + 3
FROM orders

-- @ date and time functions
SELECT date_trunc('month', ordered_at), date_part('year', ordered_at), EXTRACT(dow FROM ordered_at),
       strftime(ordered_at, '%Y-%m'), strptime('2024-01-02', '%Y-%m-%d'), year(ordered_at),
       ordered_at + INTERVAL 1 DAY, ordered_at - INTERVAL '2 hours', DATE '2024-01-01', current_date, now(),
       date_diff('day', ordered_at, now()), age(ordered_at)
FROM orders
WHERE ordered_at >= TIMESTAMP '2024-01-01 00:00:00'

-- @ more aggregates
SELECT quantile_cont(amount, 0.9), quantile_disc(amount, 0.5), string_agg(status, ',' ORDER BY status),
       list(status), arg_min(id, amount), arg_max(id, amount), first(status), last(status),
       bool_and(amount > 0), bool_or(amount > 1000), count(DISTINCT status), sum(amount) FILTER (WHERE status = 'paid'),
       any_value(status), mode(status)
FROM orders

-- @ ROLLUP, CUBE and GROUPING SETS
SELECT country, status, grouping(country), count(*) FROM customers JOIN orders ON orders.customer_id = customers.id
GROUP BY ROLLUP (country, status)

-- @ DISTINCT ON
SELECT DISTINCT ON (customer_id) customer_id, amount FROM orders ORDER BY customer_id, amount DESC

-- @ unnest in select list and as table function
SELECT id, unnest(tags) AS tag FROM customers
UNION ALL
SELECT 0, t.x FROM unnest(['a', 'b']) AS t(x)

-- @ range and generate_series
SELECT r.i, g.generate_series FROM range(10) r(i), generate_series(1, 3) g

-- @ VALUES list
SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(id, label) JOIN customers USING (id)

-- @ set operations
SELECT id FROM customers UNION SELECT customer_id FROM orders
EXCEPT SELECT id FROM v_safe
INTERSECT ALL SELECT id FROM customers

-- @ lambdas and list comprehension
SELECT list_transform(tags, x -> upper(x)), list_filter(tags, lambda t: t <> ''),
       [t || '!' FOR t IN tags IF length(t) > 2], list_reduce([1, 2, 3], (a, b) -> a + b),
       list_sort(tags), list_distinct(tags), list_contains(tags, 'vip'), len(tags), tags[1], tags[1:2]
FROM customers

-- @ struct and map literals and access
SELECT {'id': id, 'name': name} AS s, profile.city, profile['zip'], MAP {'k': 1}, [1, 2, 3], ROW(id, name),
       struct_pack(a := 1)
FROM customers

-- @ COLUMNS, EXCLUDE, REPLACE, RENAME
SELECT * EXCLUDE (email) REPLACE (upper(name) AS name), COLUMNS('^amount.*'), COLUMNS(c -> c LIKE 'id%')
FROM customers, orders

-- @ star RENAME and qualified star
SELECT c.* RENAME (name AS customer_name), max(COLUMNS(* EXCLUDE (id))) OVER () FROM customers c

-- @ PIVOT with explicit values
SELECT * FROM orders PIVOT (sum(amount) AS total FOR status IN ('paid', 'void') GROUP BY customer_id)

-- @ UNPIVOT
UNPIVOT v_safe ON a, b INTO NAME k VALUE v

-- @ sampling
SELECT * FROM orders USING SAMPLE 10% (bernoulli, 42)

-- @ LIMIT percent and subquery limit over an allowed name
SELECT * FROM orders LIMIT (SELECT count(*) FROM customers) / 10

-- @ comments, quoted identifiers and mixed case
/* block comment */ SELECT "Name" -- trailing comment
FROM "customers" WHERE LOWER("country") = 'fr'

-- @ vector distance functions over an allowed name
SELECT id, list_cosine_similarity(embedding, [0.1, 0.2, 0.3]) AS score FROM v_safe ORDER BY score DESC LIMIT 5

-- @ json helpers
SELECT profile->>'city', json_extract_string(raw, '$.a') FROM customers

-- @ a table function the caller's table_fn_ok allows, joined to an allowed name
SELECT s.rank, s.doc_id, s.score, c.name
FROM vec_search('support_docs', 'refund policy', k := 5) s JOIN customers c ON c.id::VARCHAR = s.doc_id

-- @ materialized CTE used in ORDER BY and a set operation
WITH a AS MATERIALIZED (SELECT id FROM customers)
SELECT * FROM a UNION SELECT * FROM a ORDER BY (SELECT max(id) FROM a) LIMIT 1

-- @ more join kinds
SELECT * FROM customers NATURAL JOIN orders
FULL OUTER JOIN v_safe ON v_safe.id = customers.id
CROSS JOIN (SELECT 1 AS one) x
POSITIONAL JOIN (SELECT 2 AS two) y

-- @ ordered-set aggregates and window options
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY amount), mode() WITHIN GROUP (ORDER BY status),
       array_agg(status ORDER BY amount DESC), count(*) OVER (),
       sum(amount) FILTER (WHERE amount > 0) OVER (PARTITION BY status),
       last_value(amount IGNORE NULLS) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING EXCLUDE CURRENT ROW)
FROM orders
GROUP BY GROUPING SETS ((status), ())

-- @ types, intervals and boolean tests
SELECT amount::DECIMAL(10, 2), ordered_at::TIMESTAMPTZ, CAST(id AS BIGINT), amount IS TRUE, amount NOT BETWEEN 1 AND 2,
       INTERVAL '3' MONTH, DATE '2024-01-01' - INTERVAL 1 YEAR
FROM orders

-- @ row as struct, struct field access, DISTINCT
SELECT DISTINCT c, (c.profile).city, {'x': 1}.x FROM customers c
