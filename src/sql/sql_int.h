/* SPDX-License-Identifier: MIT */
/* sql_int.h - sql module internals shared between its files (sql_duckdb.c, sql_firewall.c). */
#ifndef LH_SQL_INT_H
#define LH_SQL_INT_H

#include "lh_common.h"
#include "sql.h"

/* Parses sql with DuckDB's json_serialize_sql on the internal instance (the text is bound as
 * a parameter, nothing is executed) and returns the AST JSON in *out_json (malloc'd, the
 * caller frees it). DuckDB reports parse errors and non-SELECT statements inside the JSON
 * ({"error":true,...}), so 0 is returned for them too; a negative code only if DuckDB could
 * not be asked (or the text is not valid UTF-8). */
int lh__sql_serialize(struct lh_sql *s, const char *sql, char **out_json, struct lh_error *err);

/* Checks that the firewall's function allow-list is sorted, unique and lower-case (tests).
 * Returns NULL if it is, else the first offending name. */
const char *lh__sql_fw_table_check(void);

#endif
