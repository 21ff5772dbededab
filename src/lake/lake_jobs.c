/* SPDX-License-Identifier: MIT */
/* lake_jobs.c - long work as jobs: recorded in the catalog, run on background tasks, with
 * progress (done/total, rate, ETA), cancel, and resume after a restart. */
#include "lh_common.h"
#include "lake.h"
#include "lake_int.h"
#include "buf.h"
#include "hash.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Live state of a running job, in this process. */
struct lh__job_run {
    char id[40];
    volatile bool cancel;
    int64_t started_ms;
    int64_t done_at_start; /* for the rate: work done before this run (resume) */
    struct lh__job_run *next;
};

static struct lh__job_run *run_find(struct lh_lake *l, const char *id)
{
    for (struct lh__job_run *r = l->st->jobs; r; r = r->next)
        if (strcmp(r->id, id) == 0)
            return r;
    return NULL;
}

bool lh__job_canceled(struct lh_lake *l, const char *id)
{
    pthread_mutex_lock(&l->st->mu);
    struct lh__job_run *r = run_find(l, id);
    bool c = r && r->cancel;
    pthread_mutex_unlock(&l->st->mu);
    return c;
}

/* Runs one job to its end (in the calling thread). */
int lh_lake_job_run(struct lh_lake *l, const char *id, void (*progress)(void *ud, int64_t done,
                                                                         int64_t total),
                    void *ud, struct lh_error *err)
{
    struct lh_job *j = NULL;
    int rc = lh_catalog_job_get(l->cat, id, &j, err);
    if (rc)
        return rc;
    struct lh__job_run *r = lh_xcalloc(1, sizeof(*r));
    snprintf(r->id, sizeof(r->id), "%s", id);
    r->started_ms = now_ms();
    r->done_at_start = j->done;
    pthread_mutex_lock(&l->st->mu);
    if (run_find(l, id)) {
        pthread_mutex_unlock(&l->st->mu);
        free(r);
        lh_job_free(j);
        return lh_error_set(err, LH_ECONFLICT, "job %s is running already", id);
    }
    r->next = l->st->jobs;
    l->st->jobs = r;
    pthread_mutex_unlock(&l->st->mu);

    lh_catalog_job_update(l->cat, id, "running", -1, -1, NULL, NULL);
    LH_LOG(LH_LOG_INFO, "jobs", "msg=started job=%s kind=%s target=%s", id, j->kind, j->target);
    if (strcmp(j->kind, "index") == 0)
        rc = lh__index_build(l, j, progress, ud, err);
    else
        rc = lh_error_set(err, LH_EINVAL, "unknown job kind '%s'", j->kind);
    const char *state = rc == 0 ? "done" : rc == -LH_ECANCELED ? "canceled" : "failed";
    lh_catalog_job_update(l->cat, id, state, -1, -1, rc && rc != -LH_ECANCELED ? err->msg : NULL,
                          NULL);
    LH_LOG(rc && rc != -LH_ECANCELED ? LH_LOG_WARN : LH_LOG_INFO, "jobs",
           "msg=finished job=%s state=%s%s%s", id, state, rc ? " error=" : "",
           rc ? err->msg : "");

    pthread_mutex_lock(&l->st->mu);
    for (struct lh__job_run **pp = &l->st->jobs; *pp; pp = &(*pp)->next) {
        if (*pp == r) {
            *pp = r->next;
            break;
        }
    }
    pthread_mutex_unlock(&l->st->mu);
    free(r);
    lh_job_free(j);
    return rc;
}

static void job_task(struct lh_lake *l, void *arg)
{
    char *id = arg;
    struct lh_error err;
    lh_lake_job_run(l, id, NULL, NULL, &err);
    free(id);
}

int lh_lake_job_start(struct lh_lake *l, const char *id, struct lh_error *err)
{
    char *arg = lh_xstrdup(id);
    int rc = lh__lake_spawn(l, job_task, arg);
    if (rc) {
        free(arg);
        return lh_error_set(err, -rc, "cannot start the job");
    }
    return 0;
}

int lh_lake_job_cancel(struct lh_lake *l, const char *id, struct lh_error *err)
{
    struct lh_job *j = NULL;
    int rc = lh_catalog_job_get(l->cat, id, &j, err);
    if (rc)
        return rc;
    bool final = !strcmp(j->state, "done") || !strcmp(j->state, "failed") ||
                 !strcmp(j->state, "canceled");
    lh_job_free(j);
    if (final)
        return lh_error_set(err, LH_ECONFLICT, "job %s has finished already", id);
    pthread_mutex_lock(&l->st->mu);
    struct lh__job_run *r = run_find(l, id);
    if (r)
        r->cancel = true;
    pthread_mutex_unlock(&l->st->mu);
    if (!r) /* queued here, or left by a stopped process: cancel it in the catalog */
        return lh_catalog_job_update(l->cat, id, "canceled", -1, -1, NULL, err);
    return 0;
}

int lh_lake_jobs_resume(struct lh_lake *l, int *out_n)
{
    struct lh_job **v = NULL;
    size_t n = 0;
    struct lh_error err;
    int resumed = 0;
    for (int pass = 0; pass < 2; pass++) {
        if (lh_catalog_job_list(l->cat, pass ? "running" : "queued", 1000, &v, &n, &err))
            continue;
        for (size_t i = 0; i < n; i++) {
            LH_LOG(LH_LOG_INFO, "jobs", "msg=resuming job=%s target=%s done=%lld", v[i]->id,
                   v[i]->target, (long long)v[i]->done);
            if (lh_lake_job_start(l, v[i]->id, &err) == 0)
                resumed++;
        }
        lh_job_list_free(v, n);
    }
    if (out_n)
        *out_n = resumed;
    return 0;
}

void lh_lake_job_json(struct lh_lake *l, const struct lh_job *j, struct lh_buf *b)
{
    double rate = 0, eta = -1;
    pthread_mutex_lock(&l->st->mu);
    struct lh__job_run *r = run_find(l, j->id);
    if (r) {
        double secs = (double)(now_ms() - r->started_ms) / 1000.0;
        if (secs > 0.05)
            rate = (double)(j->done - r->done_at_start) / secs;
        if (rate > 0 && j->total >= j->done)
            eta = (double)(j->total - j->done) / rate;
    }
    pthread_mutex_unlock(&l->st->mu);
    lh_buf_printf(b, "{\"id\":\"%s\",\"kind\":", j->id);
    lh_buf_json_str(b, j->kind, strlen(j->kind));
    lh_buf_puts(b, ",\"target\":");
    lh_buf_json_str(b, j->target, strlen(j->target));
    lh_buf_puts(b, ",\"state\":");
    lh_buf_json_str(b, j->state, strlen(j->state));
    lh_buf_printf(b, ",\"done\":%lld,\"total\":%lld,\"rate_per_s\":%.1f,\"eta_s\":", (long long)j->done,
                  (long long)j->total, rate);
    if (eta >= 0)
        lh_buf_printf(b, "%.1f", eta);
    else
        lh_buf_puts(b, "null");
    lh_buf_puts(b, ",\"error\":");
    if (j->error)
        lh_buf_json_str(b, j->error, strlen(j->error));
    else
        lh_buf_puts(b, "null");
    lh_buf_puts(b, ",\"actor\":");
    lh_buf_json_str(b, j->actor ? j->actor : "", j->actor ? strlen(j->actor) : 0);
    lh_buf_printf(b, ",\"created_ms\":%lld,\"updated_ms\":%lld,\"finished_ms\":%lld}",
                  (long long)j->created_ms, (long long)j->updated_ms, (long long)j->finished_ms);
}
