/* SPDX-License-Identifier: MIT */
/* bench_startup.c - server start time: from spawn until GET /health answers 200.
 *
 * Usage: bench_startup LAKEHOUSE_BIN DATA_DIR [RUNS]   (RUNS default 5)
 *
 * Starts `LAKEHOUSE_BIN --data DATA_DIR serve --port 0` RUNS times, reads
 * the `msg=listening url=http://HOST:PORT` line from its stderr, polls
 * /health over a raw socket until it answers 200, then stops the server with
 * SIGTERM. Prints every run, best and median; the last line is
 * machine-readable for bench/run (target: median < 200 ms). */
#include "lh_common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_RUNS 50
#define TARGET_MS 200.0
#define START_TIMEOUT 20.0 /* seconds */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct child {
    pid_t pid;
    int err_fd;      /* read end of the child's stderr */
    char log[16384]; /* what it wrote so far (for error reports) */
    size_t log_len;
};

static int spawn(struct child *c, const char *bin, const char *data)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0)
        return -1;
    c->log_len = 0;
    c->log[0] = '\0';
    c->pid = fork();
    if (c->pid < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (c->pid == 0) {
        int devnull = open("/dev/null", O_RDWR);
        dup2(devnull, 0);
        dup2(devnull, 1);
        dup2(p[1], 2);
        execl(bin, bin, "--data", data, "serve", "--port", "0", (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    c->err_fd = p[0];
    return 0;
}

/* Reads what is available from the child's stderr (waiting up to ms). Returns
 * bytes read, 0 on EOF, -1 on timeout/error. */
static ssize_t read_log(struct child *c, int ms)
{
    struct pollfd pfd = {c->err_fd, POLLIN, 0};
    int pr = poll(&pfd, 1, ms);
    if (pr <= 0)
        return -1;
    char tmp[4096];
    ssize_t n = read(c->err_fd, tmp, sizeof(tmp));
    if (n <= 0)
        return n == 0 ? 0 : -1;
    size_t room = sizeof(c->log) - 1 - c->log_len;
    size_t keep = (size_t)n < room ? (size_t)n : room;
    memcpy(c->log + c->log_len, tmp, keep);
    c->log_len += keep;
    c->log[c->log_len] = '\0';
    return n;
}

/* Parses "url=http://HOST:PORT" out of the log. */
static bool find_url(const struct child *c, char *host, size_t host_len, int *port)
{
    const char *u = strstr(c->log, "url=http://");
    if (!u)
        return false;
    u += strlen("url=http://");
    const char *colon = strchr(u, ':');
    if (!colon || (size_t)(colon - u) >= host_len)
        return false;
    const char *end = colon + 1;
    while (*end >= '0' && *end <= '9')
        end++;
    if (end == colon + 1 || *end == '\0')
        return false; /* the line is not complete yet */
    memcpy(host, u, (size_t)(colon - u));
    host[colon - u] = '\0';
    if (strcmp(host, "localhost") == 0 || strcmp(host, "0.0.0.0") == 0)
        snprintf(host, host_len, "127.0.0.1");
    *port = (int)strtol(colon + 1, NULL, 10);
    return *port > 0;
}

/* One GET /health; returns the HTTP status or -1. The body goes into body. */
static int get_health(const char *host, int port, char *body, size_t body_len)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
        return -1;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int status = -1;
    char req[256];
    int n = snprintf(req, sizeof(req),
                     "GET /health HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n\r\n", host,
                     port);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || write(fd, req, (size_t)n) != n)
        goto out;
    size_t got = 0;
    ssize_t r;
    while (got < body_len - 1 && (r = read(fd, body + got, body_len - 1 - got)) > 0)
        got += (size_t)r;
    body[got] = '\0';
    if (strncmp(body, "HTTP/1.", 7) == 0 && strlen(body) > 12)
        status = (int)strtol(body + 9, NULL, 10);
out:
    close(fd);
    return status;
}

static void stop(struct child *c)
{
    int st;
    kill(c->pid, SIGTERM);
    double deadline = now() + 10;
    /* Keep draining stderr so the server never blocks on a full pipe. */
    while (now() < deadline) {
        if (waitpid(c->pid, &st, WNOHANG) == c->pid)
            goto done;
        read_log(c, 20);
    }
    kill(c->pid, SIGKILL);
    waitpid(c->pid, &st, 0);
done:
    close(c->err_fd);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    static struct child c;
    double ms[MAX_RUNS];
    char body[8192];

    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: bench_startup LAKEHOUSE_BIN DATA_DIR [RUNS]\n");
        return 2;
    }
    int runs = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 5;
    if (runs < 1 || runs > MAX_RUNS)
        runs = 5;
    signal(SIGPIPE, SIG_IGN);

    for (int i = 0; i < runs; i++) {
        char host[64];
        int port = 0, status = -1;
        double t0 = now();
        if (spawn(&c, argv[1], argv[2]) != 0) {
            perror("bench_startup: spawn");
            return 1;
        }
        while (!find_url(&c, host, sizeof(host), &port)) {
            ssize_t r = read_log(&c, 50);
            if (r == 0 || now() - t0 > START_TIMEOUT) {
                fprintf(stderr, "bench_startup: server did not report listening; its log:\n%s\n",
                        c.log);
                stop(&c);
                return 1;
            }
        }
        while ((status = get_health(host, port, body, sizeof(body))) != 200) {
            if (now() - t0 > START_TIMEOUT) {
                fprintf(stderr, "bench_startup: /health never answered 200 (last %d)\n", status);
                stop(&c);
                return 1;
            }
            usleep(1000);
        }
        ms[i] = (now() - t0) * 1000;
        stop(&c);
        if (i == 0) {
            const char *b = strstr(body, "\r\n\r\n");
            printf("startup: /health says %.300s\n", b ? b + 4 : body);
        }
        printf("startup: run %d: %.1f ms\n", i + 1, ms[i]);
        fflush(stdout);
    }
    qsort(ms, (size_t)runs, sizeof(ms[0]), cmp_double);
    double median = runs % 2 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
    printf("startup: best %.1f ms, median %.1f ms (target < %.0f ms)\n", ms[0], median,
           TARGET_MS);
    printf("BENCH name=startup best_ms=%.2f median_ms=%.2f target=%.0f cmp=lt\n", ms[0], median,
           TARGET_MS);
    return 0;
}
