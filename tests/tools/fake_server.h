/* SPDX-License-Identifier: MIT */
/* fake_server.h - unit-test helper: start/stop tests/tools/fake_model_server.py, read /stats.
 *
 * Header-only (static functions) so tests/unit/u_embed.c and u_llm.c can share it without
 * another object in the build. The script is found through $LH_FAKE_MODEL_SERVER, else
 * tests/tools/fake_model_server.py relative to the working directory (the repository root,
 * where tests/run and `make` run the tests), else relative to this file. */
#ifndef LH_TEST_FAKE_SERVER_H
#define LH_TEST_FAKE_SERVER_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

/* Every helper may go unused in one of the test files. */
#define FAKE_FN static __attribute__((unused))

struct fake_server {
    pid_t pid;
    int port;
    char base[64]; /* "http://127.0.0.1:PORT" */
};

FAKE_FN const char *fake_server_script(void)
{
    static char path[4096];
    const char *env = getenv("LH_FAKE_MODEL_SERVER");
    if (env && env[0])
        return env;
    if (access("tests/tools/fake_model_server.py", R_OK) == 0)
        return "tests/tools/fake_model_server.py";
    const char *f = __FILE__; /* .../tests/tools/fake_server.h */
    const char *slash = strrchr(f, '/');
    snprintf(path, sizeof(path), "%.*s/fake_model_server.py", slash ? (int)(slash - f) : 1,
             slash ? f : ".");
    return path;
}

/* Starts the server with extra arguments (NULL-terminated list, may be NULL). Returns 0 and
 * fills fs, or -1 (with a message on stderr). */
FAKE_FN int fake_server_start(struct fake_server *fs, const char *const *extra)
{
    int pfd[2];
    memset(fs, 0, sizeof(*fs));
    if (pipe(pfd) != 0)
        return -1;
    const char *argv[32];
    int ac = 0;
    argv[ac++] = "python3";
    argv[ac++] = fake_server_script();
    argv[ac++] = "--port";
    argv[ac++] = "0";
    for (int i = 0; extra && extra[i] && ac < 31; i++)
        argv[ac++] = extra[i];
    argv[ac] = NULL;
    pid_t pid = fork();
    if (pid < 0) {
        close(pfd[0]);
        close(pfd[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(pfd[1], STDOUT_FILENO);
        close(pfd[0]);
        close(pfd[1]);
        execvp("python3", (char *const *)argv);
        _exit(127);
    }
    close(pfd[1]);
    char line[128];
    size_t n = 0;
    while (n < sizeof(line) - 1) {
        struct pollfd p = {pfd[0], POLLIN, 0};
        if (poll(&p, 1, 15000) <= 0)
            break;
        ssize_t r = read(pfd[0], line + n, 1);
        if (r <= 0)
            break;
        if (line[n] == '\n')
            break;
        n++;
    }
    line[n] = '\0';
    close(pfd[0]);
    fs->pid = pid;
    if (sscanf(line, "listening on %d", &fs->port) != 1 || fs->port <= 0) {
        fprintf(stderr, "fake model server did not start (got '%s')\n", line);
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        fs->pid = 0;
        return -1;
    }
    snprintf(fs->base, sizeof(fs->base), "http://127.0.0.1:%d", fs->port);
    return 0;
}

FAKE_FN void fake_server_stop(struct fake_server *fs)
{
    if (fs->pid > 0) {
        kill(fs->pid, SIGTERM);
        waitpid(fs->pid, NULL, 0);
        fs->pid = 0;
    }
}

/* GET or POST (body != NULL) path; returns the response body (malloc'd) or NULL. */
FAKE_FN char *fake_server_request(const struct fake_server *fs, const char *path, const char *body)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0)
        return NULL;
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)fs->port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    char *resp = NULL;
    if (connect(s, (struct sockaddr *)&a, sizeof(a)) != 0)
        goto out;
    char req[1024];
    int rl = snprintf(req, sizeof(req),
                      "%s %s HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      "Content-Length: %zu\r\n\r\n%s",
                      body ? "POST" : "GET", path, body ? strlen(body) : 0, body ? body : "");
    if (rl <= 0 || (size_t)rl >= sizeof(req) || write(s, req, (size_t)rl) != rl)
        goto out;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (len + 1024 > cap)
            buf = realloc(buf, cap *= 2);
        ssize_t r = read(s, buf + len, cap - len - 1);
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    buf[len] = '\0';
    char *hdr_end = strstr(buf, "\r\n\r\n");
    if (hdr_end)
        resp = strdup(hdr_end + 4);
    free(buf);
out:
    close(s);
    return resp;
}

/* GET /stats (reset = clear the counters after reading) as parsed JSON (json_decref). */
FAKE_FN json_t *fake_server_stats(const struct fake_server *fs, int reset)
{
    char *body = fake_server_request(fs, reset ? "/stats?reset=1" : "/stats", NULL);
    json_t *j = body ? json_loads(body, 0, NULL) : NULL;
    free(body);
    return j;
}

/* Reads one integer member of /stats ("requests", "chat_requests"); -1 on failure. */
FAKE_FN long fake_server_stat(const struct fake_server *fs, const char *key, int reset)
{
    json_t *j = fake_server_stats(fs, reset);
    long v = j && json_is_integer(json_object_get(j, key))
                 ? (long)json_integer_value(json_object_get(j, key))
                 : -1;
    json_decref(j);
    return v;
}

FAKE_FN double fake_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
