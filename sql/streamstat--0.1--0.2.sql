/* streamstat--0.1--0.2.sql: from release 0.1 to 0.2 */

\echo Use "ALTER EXTENSION streamstat UPDATE TO '0.2'" to load this file. \quit

-- Every object 0.2 adds or changes relative to the frozen 0.1 script
-- (sql/streamstat--0.1.sql), in the order of the src/**/*.sql pieces that
-- assemble a fresh 0.2 install.  A fresh install and 0.1 + this script must
-- give the same catalog (the upgrade test compares them).
