/* SPDX-License-Identifier: MIT */
/* fuzz_firewall.c - libFuzzer target for the SQL firewall's AST walker (src/sql/sql_firewall.c);
 * not built by make test.
 *
 * Build, for example (after `make asan`):
 *   clang -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc/base -Isrc/sql \
 *       fuzz/fuzz_firewall.c build/asan/liblh.a -Lthird_party/duckdb/lib -lduckdb \
 *       -Wl,-rpath,$PWD/third_party/duckdb/lib $(pkg-config --libs jansson libcrypto \
 *       sqlite3 libcurl inih libutf8proc libmicrohttpd) -lpthread -lm -o build/fuzz_firewall
 *   build/fuzz_firewall -max_len=65536 corpus/
 * Seed the corpus with the json_serialize_sql output of the queries in tests/data/firewall/.
 * The input is taken as AST JSON; the walker must return 0 or a negative code with a
 * message, without crashing, leaking or recursing past its depth limit. */
#include "lh_common.h"
#include "sql.h"

#include <stdlib.h>
#include <string.h>

static bool table_ok(void *ud, const char *name)
{
    (void)ud;
    return strcmp(name, "t") == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct lh_sql_fw fw = {table_ok, NULL, NULL};
    char *json = malloc(size + 1);
    if (!json)
        return 0;
    memcpy(json, data, size);
    json[size] = '\0';
    struct lh_error err = {0};
    int rc = lh_sql_firewall_check_ast(json, &fw, &err);
    if (rc > 0 || (rc < 0 && !err.msg[0]))
        abort();
    free(json);
    return 0;
}
