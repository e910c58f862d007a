-- sparkline(value [, width]): block characters in row order, gaps as spaces.

-- One character per row, lowest ▁ to highest █; NULL and NaN are gaps.
SELECT sparkline(x ORDER BY i)
  FROM (VALUES (1, 1.0), (2, 2), (3, NULL), (4, 8), (5, 5), (6, 'NaN'), (7, 3)) v(i, x);

-- The eight levels, one each.
SELECT sparkline(i ORDER BY i) FROM generate_series(0, 7) i;

-- Reference: the same scaling written in SQL over a noisy series, per
-- group, with and without ORDER BY in the call being what decides.
WITH s AS (
	SELECT g, i, sin(i / 7.0 + g) * (g + 1) + (i % 5) / 10.0 AS v
	  FROM generate_series(0, 3) g, generate_series(1, 90) i
), r AS (
	SELECT g, i, v, min(v) OVER (PARTITION BY g) AS lo, max(v) OVER (PARTITION BY g) AS hi FROM s
), ref AS (
	SELECT g, string_agg(chr(9601 + least(7, floor((v - lo) / (hi - lo) * 8)::int)), '' ORDER BY i) AS line
	  FROM r GROUP BY g
)
SELECT g, sparkline(v ORDER BY i) = ref.line AS same_as_sql, length(sparkline(v ORDER BY i)) AS chars
  FROM s JOIN ref USING (g)
 GROUP BY g, ref.line
 ORDER BY g;

-- With a width: runs of rows averaged; reference in SQL (run k of n rows
-- into w holds rows k*n/w .. (k+1)*n/w - 1, counting from 0).
WITH s AS (
	SELECT i, CASE WHEN i BETWEEN 40 AND 49 THEN NULL ELSE cos(i / 9.0) END AS v
	  FROM generate_series(0, 99) i
), runs AS (
	SELECT k, avg(v) AS v
	  FROM generate_series(0, 29) k
	  JOIN s ON s.i >= k * 100 / 30 AND s.i < (k + 1) * 100 / 30
	 GROUP BY k
), r AS (
	SELECT k, v, min(v) OVER () AS lo, max(v) OVER () AS hi FROM runs
)
SELECT (SELECT sparkline(v, 30 ORDER BY i) FROM s)
	 = string_agg(CASE WHEN v IS NULL THEN ' '
					   ELSE chr(9601 + least(7, floor((v - lo) / (hi - lo) * 8)::int)) END, '' ORDER BY k)
	   AS same_as_sql
  FROM r;
SELECT sparkline(v, 30 ORDER BY i)
  FROM (SELECT i, CASE WHEN i BETWEEN 40 AND 49 THEN NULL ELSE cos(i / 9.0) END AS v
		  FROM generate_series(0, 99) i) s;

-- Fewer rows than the width: one character per row.
SELECT sparkline(i, 40 ORDER BY i) FROM generate_series(1, 5) i;

-- A gap in time: buckets without rows become NULL through a LEFT JOIN.
WITH readings(t, v) AS (
	VALUES ('2025-01-01 00:00+00'::timestamptz, 1.0), ('2025-01-01 00:01+00', 2.0),
		   ('2025-01-01 00:04+00', 4.0), ('2025-01-01 00:05+00', 3.0)
)
SELECT sparkline(avg ORDER BY b)
  FROM generate_series('2025-01-01 00:00+00'::timestamptz, '2025-01-01 00:05+00', '1 minute') b
  LEFT JOIN (SELECT time_bucket('1 minute', t) AS b, avg(v) FROM readings GROUP BY 1) x USING (b);

-- Edge cases: no rows, only NULLs, one row, a flat series, infinities as
-- gaps, values near the largest double.
SELECT sparkline(x) IS NULL AS no_rows FROM (SELECT 1.0 AS x WHERE false) s;
SELECT '[' || sparkline(NULL::float8) || ']' AS only_nulls FROM generate_series(1, 3);
SELECT sparkline(42.0) AS one_row;
SELECT sparkline(5.0) AS flat FROM generate_series(1, 4);
SELECT sparkline(x ORDER BY i) AS infinities
  FROM (VALUES (1, 1.0), (2, 'Infinity'), (3, 2.0), (4, '-Infinity'), (5, 3.0)) v(i, x);
SELECT sparkline(x ORDER BY i) AS huge
  FROM (VALUES (1, -1.7e308), (2, 0), (3, 1.7e308)) v(i, x);
SELECT sparkline(x, 1 ORDER BY i) AS huge_mean
  FROM (VALUES (1, 1.7e308), (2, 1.7e308)) v(i, x);

-- Per group, and as a window (a running sparkline).
SELECT g, sparkline(i * (2 - g) ORDER BY i) FROM generate_series(1, 6) i, generate_series(0, 1) g GROUP BY g ORDER BY g;
SELECT i, sparkline(i % 4) OVER (ORDER BY i) FROM generate_series(1, 5) i;

-- Bad widths.
SELECT sparkline(1.0, 0);
SELECT sparkline(1.0, 10001);
SELECT sparkline(1.0, NULL);
SELECT sparkline(1.0, i) FROM generate_series(1, 2) i;
