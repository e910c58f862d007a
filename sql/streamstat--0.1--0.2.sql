/* streamstat--0.1--0.2.sql: from release 0.1 to 0.2 */

\echo Use "ALTER EXTENSION streamstat UPDATE TO '0.2'" to load this file. \quit

-- Every object 0.2 adds or changes relative to the frozen 0.1 script
-- (sql/streamstat--0.1.sql), in the order of the src/**/*.sql pieces that
-- assemble a fresh 0.2 install.  A fresh install and 0.1 + this script must
-- give the same catalog (the upgrade test compares them).

-- sparkline (issue #14): src/stats/sparkline.sql
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
