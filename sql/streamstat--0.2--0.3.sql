/* streamstat--0.2--0.3.sql: from release 0.2 to 0.3 */

\echo Use "ALTER EXTENSION streamstat UPDATE TO '0.3'" to load this file. \quit

-- Every object 0.3 adds or changes relative to the frozen 0.2 script
-- (sql/streamstat--0.2.sql), in the order of the src/**/*.sql pieces that
-- assemble a fresh 0.3 install.  A fresh install and 0.2 + this script must
-- give the same catalog (the upgrade test compares them).  Each feature adds
-- its own section, headed by its issue and the src piece it mirrors.
