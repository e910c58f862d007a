-- sparkline(value [, width]): a series as one line of ▁▂▃▄▅▆▇█ for psql.
-- Order-dependent: call it with ORDER BY (sparkline(v ORDER BY time)); no
-- combine function, so never partial.  NULLs (gaps) are drawn as spaces.

CREATE FUNCTION sparkline_trans(internal, float8) RETURNS internal
	AS 'MODULE_PATHNAME', 'streamstat_sparkline_trans'
	LANGUAGE C CALLED ON NULL INPUT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION sparkline_trans(internal, float8, int4) RETURNS internal
	AS 'MODULE_PATHNAME', 'streamstat_sparkline_trans'
	LANGUAGE C CALLED ON NULL INPUT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION sparkline_final(internal) RETURNS text
	AS 'MODULE_PATHNAME', 'streamstat_sparkline_final'
	LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE sparkline(value float8) (
	SFUNC = sparkline_trans,
	STYPE = internal,
	FINALFUNC = sparkline_final,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE sparkline(float8) IS
	'the values in order as one line of block characters, one per row; NULLs as spaces';

CREATE AGGREGATE sparkline(value float8, width int4) (
	SFUNC = sparkline_trans,
	STYPE = internal,
	FINALFUNC = sparkline_final,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE sparkline(float8, int4) IS
	'the values in order as one line of at most width block characters (runs of rows averaged); gaps as spaces';
