/* SPDX-License-Identifier: MIT */
/* u_demo.c - unit tests of the demo generator: validation, counts, CSV shape, keys, determinism. */
#include "lh_common.h"
#include "demo.h"
#include "fs.h"

#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static const char *const tables[] = {
    "recruiters", "clients", "candidates", "job_orders", "placements", "timesheets",
};

static const char *const headers[] = {
    "recruiter_id,name,email,team,hired_at",
    "client_id,name,industry,city,state,contact_name,contact_email,created_at",
    "candidate_id,first_name,last_name,email,phone,city,state,skills,years_experience,"
    "desired_salary,status,created_at,resume_text",
    "job_order_id,client_id,recruiter_id,title,skills,city,state,bill_rate,pay_rate,openings,"
    "status,opened_at",
    "placement_id,job_order_id,candidate_id,recruiter_id,start_date,end_date,bill_rate,pay_rate,"
    "status",
    "timesheet_id,placement_id,week_ending,hours,overtime_hours,approved,amount",
};

/* ---- a small streaming RFC 4180 reader: one record at a time ---- */

#define MAX_FIELDS 16
#define MAX_RECORD 16384

struct rec {
    size_t n;
    const char *f[MAX_FIELDS];
    size_t len[MAX_FIELDS];
    bool quoted[MAX_FIELDS];
};

typedef void (*rec_fn)(void *ud, int64_t index, const struct rec *r);

/* Calls fn for every record (index 0 = header); returns the number of records. */
static int64_t csv_each(const char *path, rec_fn fn, void *ud)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char chunk[1 << 16];
    static char data[MAX_RECORD];
    size_t dlen = 0;
    struct rec r;
    size_t start = 0;
    bool in_quotes = false, quote_pending = false, field_quoted = false;
    int64_t n_rec = 0;
    size_t got;

    memset(&r, 0, sizeof(r));
    while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        for (size_t i = 0; i < got; i++) {
            char c = chunk[i];
            if (in_quotes) {
                if (quote_pending) {
                    quote_pending = false;
                    if (c == '"') { /* "" inside quotes */
                        assert_true(dlen < MAX_RECORD);
                        data[dlen++] = '"';
                        continue;
                    }
                    in_quotes = false; /* closing quote; fall through to handle c */
                } else if (c == '"') {
                    quote_pending = true;
                    continue;
                } else {
                    assert_true(dlen < MAX_RECORD);
                    data[dlen++] = c;
                    continue;
                }
            }
            if (c == '"') {
                assert_int_equal(dlen, start); /* quotes only open a field */
                in_quotes = true;
                field_quoted = true;
            } else if (c == ',' || c == '\n') {
                assert_true(r.n < MAX_FIELDS);
                r.f[r.n] = data + start;
                r.len[r.n] = dlen - start;
                r.quoted[r.n] = field_quoted;
                r.n++;
                assert_true(dlen < MAX_RECORD);
                data[dlen++] = '\0';
                start = dlen;
                field_quoted = false;
                if (c == '\n') {
                    fn(ud, n_rec++, &r);
                    memset(&r, 0, sizeof(r));
                    dlen = start = 0;
                }
            } else {
                assert_true(c != '\r');
                assert_true(dlen < MAX_RECORD);
                data[dlen++] = c;
            }
        }
    }
    assert_false(ferror(f));
    fclose(f);
    /* Every record, the last included, ends with a newline outside quotes. */
    assert_false(in_quotes && !quote_pending);
    assert_int_equal(dlen, 0);
    return n_rec;
}

/* ---- per-table checks ---- */

struct check {
    int table;
    int scale;
    int64_t n_recruiters, n_clients, n_candidates, n_job_orders, n_placements;
    size_t n_columns;
    int64_t last_fk;    /* timesheets: placement ids never go down */
    int64_t quoted_commas;
    int64_t multi_paragraph;
    size_t min_resume, max_resume;
};

static int64_t num(const struct rec *r, size_t i)
{
    char *end;
    assert_true(i < r->n);
    assert_true(r->len[i] > 0);
    long long v = strtoll(r->f[i], &end, 10);
    assert_true(*end == '\0');
    return v;
}

static void in_range(int64_t v, int64_t hi)
{
    assert_true(v >= 1);
    assert_true(v <= hi);
}

static bool one_of(const char *s, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, set[i]) == 0)
            return true;
    return false;
}

static void check_record(void *ud, int64_t index, const struct rec *r)
{
    struct check *c = ud;
    if (index == 0) {
        /* Header: the fields joined back must be the expected text. */
        char joined[512];
        size_t off = 0;
        for (size_t i = 0; i < r->n; i++) {
            int w = snprintf(joined + off, sizeof(joined) - off, "%s%s", i ? "," : "", r->f[i]);
            assert_true(w >= 0 && (size_t)w < sizeof(joined) - off);
            off += (size_t)w;
        }
        assert_string_equal(joined, headers[c->table]);
        c->n_columns = r->n;
        return;
    }
    assert_int_equal(r->n, c->n_columns);
    assert_int_equal(num(r, 0), index); /* ids are 1..n in order */
    for (size_t i = 0; i < r->n; i++)
        if (r->quoted[i] && memchr(r->f[i], ',', r->len[i]))
            c->quoted_commas++;

    switch (c->table) {
    case 0: /* recruiters */
        assert_non_null(strchr(r->f[2], '@'));
        break;
    case 1: /* clients */
        assert_non_null(strchr(r->f[6], '@'));
        break;
    case 2: { /* candidates */
        static const char *const st[] = {"active", "placed", "passive", "inactive"};
        assert_non_null(strchr(r->f[3], '@'));
        assert_true(one_of(r->f[10], st, LH_ARRAY_LEN(st)));
        assert_true(num(r, 8) >= 0 && num(r, 8) <= 40);
        assert_true(num(r, 9) > 10000);
        size_t n = r->len[12];
        if (n < c->min_resume)
            c->min_resume = n;
        if (n > c->max_resume)
            c->max_resume = n;
        if (strstr(r->f[12], "\n\n"))
            c->multi_paragraph++;
        assert_non_null(strstr(r->f[12], r->f[5])); /* mentions the city */
        break;
    }
    case 3: { /* job_orders */
        static const char *const st[] = {"open", "filled", "closed", "on_hold"};
        in_range(num(r, 1), c->n_clients);
        in_range(num(r, 2), c->n_recruiters);
        assert_true(one_of(r->f[10], st, LH_ARRAY_LEN(st)));
        assert_true(strtod(r->f[7], NULL) > strtod(r->f[8], NULL)); /* bill > pay */
        break;
    }
    case 4: { /* placements */
        static const char *const st[] = {"completed", "terminated", "cancelled", "active"};
        in_range(num(r, 1), c->n_job_orders);
        in_range(num(r, 2), c->n_candidates);
        in_range(num(r, 3), c->n_recruiters);
        assert_true(one_of(r->f[8], st, LH_ARRAY_LEN(st)));
        assert_int_equal(r->len[4], 10);
        if (strcmp(r->f[8], "active") == 0)
            assert_int_equal(r->len[5], 0);
        else
            assert_true(strcmp(r->f[5], r->f[4]) >= 0); /* ISO dates compare as text */
        break;
    }
    case 5: { /* timesheets */
        int64_t p = num(r, 1);
        in_range(p, c->n_placements);
        assert_true(p >= c->last_fk);
        c->last_fk = p;
        assert_true(strcmp(r->f[5], "true") == 0 || strcmp(r->f[5], "false") == 0);
        double hours = strtod(r->f[3], NULL);
        assert_true(hours > 0 && hours <= 40);
        assert_true(strtod(r->f[6], NULL) > 0);
        break;
    }
    default:
        fail();
    }
}

/* ---- helpers ---- */

static char *make_tmp_dir(void)
{
    const char *base = getenv("TMPDIR");
    char *t = lh_xasprintf("%s/lh-u-demo-XXXXXX", base && *base ? base : "/tmp");
    assert_non_null(mkdtemp(t));
    return t;
}

static void free_paths(char **paths, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
}

static void assert_same_file(const char *a, const char *b)
{
    static char ba[1 << 16], bb[1 << 16];
    FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
    assert_non_null(fa);
    assert_non_null(fb);
    for (;;) {
        size_t na = fread(ba, 1, sizeof(ba), fa);
        size_t nb = fread(bb, 1, sizeof(bb), fb);
        assert_int_equal(na, nb);
        if (na == 0)
            break;
        assert_memory_equal(ba, bb, na);
    }
    fclose(fa);
    fclose(fb);
}

/* ---- tests ---- */

static void demo_rejects_bad_scale(void **state)
{
    (void)state;
    char *dir = make_tmp_dir();
    char **paths = (char **)1;
    size_t n = 7;
    struct lh_error err = {0};
    assert_int_equal(lh_demo_write_csv(dir, 0, &paths, &n, &err), -LH_EINVAL);
    assert_null(paths);
    assert_int_equal(n, 0);
    assert_int_equal(err.code, LH_EINVAL);
    assert_int_equal(lh_demo_write_csv(dir, LH_DEMO_MAX_SCALE + 1, &paths, &n, NULL),
                     -LH_EINVAL);
    assert_int_equal(lh_demo_write_csv(dir, -3, &paths, &n, NULL), -LH_EINVAL);
    assert_int_equal(lh_demo_table_rows("candidates", 0), -1);
    assert_int_equal(lh_demo_table_rows("candidates", LH_DEMO_MAX_SCALE + 1), -1);
    assert_int_equal(lh_demo_table_rows("nope", 1), -1);
    assert_int_equal(lh_demo_table_rows(NULL, 1), -1);
    lh_fs_rm_rf(dir);
    free(dir);
}

static void demo_unwritable_dir_fails_cleanly(void **state)
{
    (void)state;
    char **paths = (char **)1;
    size_t n = 7;
    struct lh_error err = {0};
    int rc = lh_demo_write_csv("/proc/lh-no-such/demo", 1, &paths, &n, &err);
    assert_true(rc < 0);
    assert_null(paths);
    assert_int_equal(n, 0);
    assert_true(err.msg[0] != '\0');
}

static void demo_row_counts_scale_linearly(void **state)
{
    (void)state;
    static const int64_t fixed[] = {200, 5000, 100000, 40000, 150000};
    for (size_t t = 0; t < LH_ARRAY_LEN(fixed); t++) {
        assert_int_equal(lh_demo_table_rows(tables[t], 1), fixed[t]);
        assert_int_equal(lh_demo_table_rows(tables[t], 3), 3 * fixed[t]);
    }
    int64_t ts1 = lh_demo_table_rows("timesheets", 1);
    int64_t ts2 = lh_demo_table_rows("timesheets", 2);
    assert_true(ts1 > 1500000 && ts1 < 1900000);
    assert_true(ts2 > ts1 * 19 / 10 && ts2 < ts1 * 21 / 10);
    assert_int_equal(lh_demo_table_rows("timesheets", 1), ts1); /* stable */
    int64_t total = ts1;
    for (size_t t = 0; t < LH_ARRAY_LEN(fixed); t++)
        total += fixed[t];
    assert_true(total > 1800000 && total < 2200000);
}

static void demo_csv_valid_and_deterministic(void **state)
{
    (void)state;
    char *a = make_tmp_dir(), *b = make_tmp_dir();
    char **pa = NULL, **pb = NULL;
    size_t na = 0, nb = 0;
    struct lh_error err = {0};

    assert_int_equal(lh_demo_write_csv(a, 1, &pa, &na, &err), 0);
    assert_int_equal(lh_demo_write_csv(b, 1, &pb, &nb, &err), 0);
    assert_int_equal(na, LH_ARRAY_LEN(tables));
    assert_int_equal(nb, na);

    for (size_t t = 0; t < na; t++) {
        char *want = lh_xasprintf("%s/%s.csv", a, tables[t]);
        assert_string_equal(pa[t], want);
        free(want);
        assert_same_file(pa[t], pb[t]);

        struct check c = {
            .table = (int)t,
            .scale = 1,
            .n_recruiters = lh_demo_table_rows("recruiters", 1),
            .n_clients = lh_demo_table_rows("clients", 1),
            .n_candidates = lh_demo_table_rows("candidates", 1),
            .n_job_orders = lh_demo_table_rows("job_orders", 1),
            .n_placements = lh_demo_table_rows("placements", 1),
            .min_resume = SIZE_MAX,
        };
        int64_t records = csv_each(pa[t], check_record, &c);
        assert_int_equal(records - 1, lh_demo_table_rows(tables[t], 1));
        if (t == 1)
            assert_true(c.quoted_commas > 0); /* "Acme, Inc." style names */
        if (t == 2) {
            assert_int_equal(c.multi_paragraph, records - 1);
            assert_true(c.min_resume >= 300);
            assert_true(c.max_resume <= 1200);
            assert_true(c.quoted_commas > 0);
        }
    }

    free_paths(pa, na);
    free_paths(pb, nb);
    lh_fs_rm_rf(a);
    lh_fs_rm_rf(b);
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(demo_rejects_bad_scale),
        cmocka_unit_test(demo_unwritable_dir_fails_cleanly),
        cmocka_unit_test(demo_row_counts_scale_linearly),
        cmocka_unit_test(demo_csv_valid_and_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
