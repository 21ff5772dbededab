/* SPDX-License-Identifier: MIT */
/* vector_pool.c - the index's small thread pool: split one scan or one batch across threads.
 *
 * A job is (fn, arg, n_tasks). The submitting thread queues it, then claims tasks itself like
 * any worker, so a job finishes even when every worker is busy with another caller's job. A
 * task is claimed and finished under the pool mutex (jobs have a handful of tasks, each long).
 */
#include "lh_common.h"
#include "vector_int.h"

#include <pthread.h>
#include <stdlib.h>

struct pool_job {
    struct pool_job *next;
    lh__vec_task_fn fn;
    void *arg;
    size_t n_tasks;
    size_t next_task; /* under the pool mutex */
    size_t done;      /* under the pool mutex */
};

struct lh__vec_pool {
    pthread_mutex_t mu;
    pthread_cond_t work; /* a job was queued, or stop */
    pthread_cond_t done; /* a task finished */
    struct pool_job *head;
    bool stop;
    int n_threads; /* including the callers' share: workers = n_threads - 1 */
    int n_started;
    pthread_t *th;
};

/* Claims a task of a queued job; NULL when none is left. Called with the mutex held. */
static struct pool_job *claim(struct lh__vec_pool *p, size_t *task)
{
    for (struct pool_job *j = p->head; j; j = j->next) {
        if (j->next_task < j->n_tasks) {
            *task = j->next_task++;
            return j;
        }
    }
    return NULL;
}

static void finish(struct lh__vec_pool *p, struct pool_job *j)
{
    /* After done reaches n_tasks the submitter may free j: touch nothing of it after. */
    if (++j->done == j->n_tasks)
        pthread_cond_broadcast(&p->done);
}

static void *worker(void *arg)
{
    struct lh__vec_pool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        size_t task;
        struct pool_job *j = claim(p, &task);
        if (!j) {
            if (p->stop)
                break;
            pthread_cond_wait(&p->work, &p->mu);
            continue;
        }
        pthread_mutex_unlock(&p->mu);
        j->fn(j->arg, task);
        pthread_mutex_lock(&p->mu);
        finish(p, j);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int lh__vec_pool_new(int n_threads, struct lh__vec_pool **out)
{
    struct lh__vec_pool *p = calloc(1, sizeof(*p));
    int rc = 0;
    *out = NULL;
    if (!p)
        return -LH_ENOMEM;
    if (n_threads < 1)
        n_threads = 1;
    p->n_threads = n_threads;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    if (n_threads > 1) {
        p->th = calloc((size_t)n_threads - 1, sizeof(*p->th));
        if (!p->th) {
            rc = -LH_ENOMEM;
            goto out;
        }
        for (int i = 0; i < n_threads - 1; i++) {
            if (pthread_create(&p->th[i], NULL, worker, p) != 0) {
                rc = -LH_ENOMEM;
                goto out;
            }
            p->n_started++;
        }
    }
out:
    if (rc) {
        lh__vec_pool_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

void lh__vec_pool_free(struct lh__vec_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->n_started; i++)
        pthread_join(p->th[i], NULL);
    free(p->th);
    pthread_cond_destroy(&p->done);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

int lh__vec_pool_threads(const struct lh__vec_pool *p)
{
    return p ? p->n_started + 1 : 1;
}

void lh__vec_pool_run(struct lh__vec_pool *p, size_t n_tasks, lh__vec_task_fn fn, void *arg)
{
    if (n_tasks == 0)
        return;
    if (!p || p->n_started == 0 || n_tasks == 1) {
        for (size_t t = 0; t < n_tasks; t++)
            fn(arg, t);
        return;
    }
    struct pool_job job = {NULL, fn, arg, n_tasks, 0, 0};
    pthread_mutex_lock(&p->mu);
    /* Append: earlier callers' jobs are served first. */
    struct pool_job **tail = &p->head;
    while (*tail)
        tail = &(*tail)->next;
    *tail = &job;
    pthread_cond_broadcast(&p->work);
    while (job.next_task < job.n_tasks) {
        size_t task = job.next_task++;
        pthread_mutex_unlock(&p->mu);
        fn(arg, task);
        pthread_mutex_lock(&p->mu);
        finish(p, &job);
    }
    while (job.done < job.n_tasks)
        pthread_cond_wait(&p->done, &p->mu);
    for (struct pool_job **q = &p->head; *q; q = &(*q)->next) {
        if (*q == &job) {
            *q = job.next;
            break;
        }
    }
    pthread_mutex_unlock(&p->mu);
}
