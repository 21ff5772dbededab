#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# fake_model_server.py - a deterministic stand-in for Ollama and OpenAI model servers, for tests.
"""Fake model server speaking the Ollama and OpenAI JSON protocols (standard library only).

Routes (any of them may be prefixed by a mode segment, see below):
  GET  /api/tags                 Ollama model list
  POST /api/embed                Ollama: {"model","input":str|[str]} -> {"embeddings":[[...]]}
  POST /api/chat                 Ollama: {"model","messages","stream":false,"options"} ->
                                 {"message":{"role","content"},"prompt_eval_count","eval_count"}
  GET  /v1/models                OpenAI model list
  POST /v1/embeddings            OpenAI: {"model","input"} -> {"data":[{"embedding","index"}]}
  POST /v1/chat/completions      OpenAI: {"model","messages",...} -> {"choices":[...],"usage"}
  GET  /stats[?reset=1]          request counts: {"requests","by_path","embed_batches",
                                 "chat_requests","last_chat"}; reset=1 clears them after reading
  POST /control                  JSON {"fail_times","fail_status","slow_ms","bad_json","dims",
                                 "reset"} changes the global behaviour at run time
  GET  /health                   {"ok":true}

Embeddings are deterministic: SHAKE-256 of the text -> `dims` numbers in [-1, 1] -> unit vector.
A chat answer quotes the first passage of the last user message ("[1] doc_id: text" lines, as
built by src/llm/rag_prompt.c) and cites it as [1]; without passages it says it does not know.

Failure injection (for retry, timeout and error tests):
  * global: --fail-times N --fail-status S --slow-ms MS --bad-json (or /control, or the env
    vars FAKE_FAIL_TIMES, FAKE_FAIL_STATUS, FAKE_SLOW_MS, FAKE_BAD_JSON, FAKE_DIMS);
  * per request header: X-Fail-Times: N (the first N requests carrying the same value fail);
  * per base URL: a path prefix /_/<k=v,k=v>/ before the route, e.g.
    http://127.0.0.1:PORT/_/fail=3,status=429 as the client's base URL. Keys:
      fail=N       the first N requests with this exact prefix answer `status` (default 503)
      status=S     status of the injected failures
      retryafter=S adds "Retry-After: S" to injected failures
      slow=MS      sleep MS milliseconds before answering
      badjson=1    answer 200 with a body that is not JSON
      dims=D       embedding dims
      dimsvary=1   the k-th embed request with this prefix answers dims + k
      short=1      embed answers hold one vector fewer than asked
  With --api-key KEY every model route requires "Authorization: Bearer KEY" and answers 401
  otherwise, echoing the key it was given in the message (as real servers partly do), so
  clients can be tested for never repeating it.

--port 0 picks a free port; the server prints "listening on PORT" and flushes stdout. It binds
127.0.0.1 only and exits when its parent process goes away.
"""
import argparse
import hashlib
import json
import os
import re
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PASSAGE_RE = re.compile(r"^\[1\]\s*([^:\n]*):\s*(.*)$", re.M)


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.api_key = args.api_key
        self.dims = args.dims
        self.fail_times = args.fail_times
        self.fail_status = args.fail_status
        self.slow_ms = args.slow_ms
        self.bad_json = args.bad_json
        self.counters = {}  # failure counters per mode key
        self.reset_stats()

    def reset_stats(self):
        self.requests = 0
        self.by_path = {}
        self.embed_batches = []
        self.chat_requests = 0
        self.last_chat = None
        self.counters = {}

    def stats(self):
        return {
            "requests": self.requests,
            "by_path": dict(self.by_path),
            "embed_batches": list(self.embed_batches),
            "chat_requests": self.chat_requests,
            "last_chat": self.last_chat,
        }

    def take_failure(self, key, limit):
        """True for the first `limit` calls with this key."""
        with self.lock:
            n = self.counters.get(key, 0)
            self.counters[key] = n + 1
            return n < limit

    def bump(self, key):
        with self.lock:
            n = self.counters.get(key, 0)
            self.counters[key] = n + 1
            return n


def parse_modes(seg):
    modes = {}
    for part in seg.split(","):
        if not part:
            continue
        k, _, v = part.partition("=")
        modes[k] = v if v else "1"
    return modes


def embed_vector(text, dims):
    raw = hashlib.shake_256(text.encode("utf-8", "surrogatepass")).digest(4 * dims)
    vals = [x / 2147483648.0 - 1.0 for x in struct.unpack("<%dI" % dims, raw)]
    norm = sum(v * v for v in vals) ** 0.5 or 1.0
    return [round(v / norm, 7) for v in vals]


def chat_answer(messages):
    user = ""
    for m in messages:
        if isinstance(m, dict) and m.get("role") == "user":
            user = str(m.get("content", ""))
    m = PASSAGE_RE.search(user)
    if not m:
        return "I do not know: no passages were given."
    doc, text = m.group(1).strip(), m.group(2).strip()
    quote = text[:80]
    return 'According to %s, "%s" [1].' % (doc, quote)


def count_tokens(s):
    return len(str(s).split())


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-model-server/1"
    state = None  # set by main
    verbose = False

    def log_message(self, fmt, *args):  # noqa: N802 (stdlib name)
        if self.verbose:
            sys.stderr.write("fake: " + (fmt % args) + "\n")

    # ---- plumbing ----
    def send_json(self, status, obj, extra_headers=None, raw=None):
        body = raw if raw is not None else json.dumps(obj).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for k, v in (extra_headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def route(self):
        """(path without mode prefix, modes dict, mode key)."""
        parts = urlsplit(self.path)
        path = parts.path
        modes, key = {}, ""
        if path.startswith("/_/"):
            seg, _, rest = path[3:].partition("/")
            modes = parse_modes(seg)
            key = seg
            path = "/" + rest
        return path, modes, key, parse_qs(parts.query)

    def authorised(self):
        key = self.state.api_key
        if not key:
            return True
        got = self.headers.get("Authorization", "")
        if got == "Bearer " + key:
            return True
        given = got[7:] if got.startswith("Bearer ") else got
        msg = ("Incorrect API key provided: %s." % given) if given else \
            "You didn't provide an API key."
        self.send_json(401, {"error": {"message": msg, "type": "invalid_request_error",
                                       "code": "invalid_api_key"}})
        return False

    # ---- verbs ----
    def do_GET(self):  # noqa: N802
        path, modes, key, query = self.route()
        st = self.state
        if path == "/stats":
            with st.lock:
                out = st.stats()
                if query.get("reset", ["0"])[0] not in ("0", ""):
                    st.reset_stats()
            return self.send_json(200, out)
        if path == "/health":
            return self.send_json(200, {"ok": True})
        if not self.pre(path, modes, key):
            return
        if path == "/api/tags":
            return self.send_json(200, {"models": [
                {"name": "fake-embed:latest", "model": "fake-embed:latest", "size": 1},
                {"name": "fake-chat:latest", "model": "fake-chat:latest", "size": 1}]})
        if path == "/v1/models":
            return self.send_json(200, {"object": "list", "data": [
                {"id": "fake-embed", "object": "model", "owned_by": "fake"},
                {"id": "fake-chat", "object": "model", "owned_by": "fake"}]})
        self.send_json(404, {"error": "not found: %s" % path})

    def do_POST(self):  # noqa: N802
        path, modes, key, _ = self.route()
        st = self.state
        raw = self.read_body()
        if path == "/control":
            try:
                c = json.loads(raw or b"{}")
            except ValueError:
                return self.send_json(400, {"error": "invalid JSON"})
            with st.lock:
                if c.get("reset"):
                    st.reset_stats()
                for f in ("fail_times", "fail_status", "slow_ms", "dims"):
                    if f in c:
                        setattr(st, f, int(c[f]))
                if "bad_json" in c:
                    st.bad_json = bool(c["bad_json"])
                if "fail_times" in c:
                    st.counters.pop("<global>", None)
            return self.send_json(200, {"ok": True})
        if path == "/stats/reset":
            with st.lock:
                st.reset_stats()
            return self.send_json(200, {"ok": True})
        if not self.pre(path, modes, key):
            return
        try:
            req = json.loads(raw)
            if not isinstance(req, dict):
                raise ValueError("not an object")
        except ValueError as e:
            return self.send_json(400, {"error": "invalid JSON body: %s" % e})
        bad_json = st.bad_json or modes.get("badjson") == "1"
        if bad_json:
            return self.send_json(200, None, raw=b'{"embeddings": [[0.1, 0.2], oops')
        if path in ("/api/embed", "/v1/embeddings"):
            return self.embed(path, req, modes, key)
        if path in ("/api/chat", "/v1/chat/completions"):
            return self.chat(path, req)
        self.send_json(404, {"error": "not found: %s" % path})

    def pre(self, path, modes, key):
        """Counts the request and applies auth, slowness and injected failures."""
        st = self.state
        with st.lock:
            st.requests += 1
            st.by_path[path] = st.by_path.get(path, 0) + 1
        slow = int(modes.get("slow", st.slow_ms) or 0)
        if slow > 0:
            time.sleep(slow / 1000.0)
        if not self.authorised():
            return False
        status = int(modes.get("status", st.fail_status))
        headers = {}
        if "retryafter" in modes:
            headers["Retry-After"] = modes["retryafter"]
        failing = False
        if "fail" in modes:
            failing = st.take_failure("mode:" + key, int(modes["fail"]))
        elif self.headers.get("X-Fail-Times"):
            hv = self.headers.get("X-Fail-Times")
            failing = st.take_failure("hdr:" + hv, int(hv))
        elif st.fail_times > 0:
            failing = st.take_failure("<global>", st.fail_times)
        if failing:
            self.send_json(status, {"error": {"message": "injected failure (status %d)" % status,
                                              "type": "server_error"}}, headers)
            return False
        return True

    def embed(self, path, req, modes, key):
        st = self.state
        inp = req.get("input")
        texts = [inp] if isinstance(inp, str) else inp
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            return self.send_json(400, {"error": "input must be a string or a list of strings"})
        if path == "/v1/embeddings" and any(t == "" for t in texts):
            return self.send_json(400, {"error": {"message": "'$.input' is invalid: empty string",
                                                  "type": "invalid_request_error"}})
        dims = int(modes.get("dims", st.dims))
        if modes.get("dimsvary") == "1":
            dims += st.bump("vary:" + key)
        vecs = [embed_vector(t, dims) for t in texts]
        if modes.get("short") == "1" and vecs:
            vecs = vecs[:-1]
        with st.lock:
            st.embed_batches.append(len(texts))
        model = req.get("model", "")
        ntok = sum(count_tokens(t) for t in texts)
        if path == "/api/embed":
            return self.send_json(200, {"model": model, "embeddings": vecs,
                                        "total_duration": 1000, "prompt_eval_count": ntok})
        data = [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vecs)]
        data.reverse()  # real clients must honour "index", not the order
        return self.send_json(200, {"object": "list", "data": data, "model": model,
                                    "usage": {"prompt_tokens": ntok, "total_tokens": ntok}})

    def chat(self, path, req):
        st = self.state
        msgs = req.get("messages")
        if not isinstance(msgs, list) or not msgs:
            return self.send_json(400, {"error": "messages must be a non-empty list"})
        with st.lock:
            st.chat_requests += 1
            st.last_chat = req
        answer = chat_answer(msgs)
        ptok = sum(count_tokens(m.get("content", "")) for m in msgs if isinstance(m, dict))
        ctok = count_tokens(answer)
        model = req.get("model", "")
        if path == "/api/chat":
            return self.send_json(200, {
                "model": model, "created_at": "2025-01-01T00:00:00Z",
                "message": {"role": "assistant", "content": answer},
                "done": True, "done_reason": "stop",
                "prompt_eval_count": ptok, "eval_count": ctok})
        return self.send_json(200, {
            "id": "chatcmpl-fake", "object": "chat.completion", "created": 0, "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": answer},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": ptok, "completion_tokens": ctok,
                      "total_tokens": ptok + ctok}})


def watch_parent(ppid):
    while True:
        time.sleep(0.5)
        if os.getppid() != ppid:
            os._exit(0)


def main():
    env = os.environ.get
    ap = argparse.ArgumentParser(description="fake Ollama/OpenAI model server for tests")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--dims", type=int, default=int(env("FAKE_DIMS", "16")))
    ap.add_argument("--api-key", default=env("FAKE_API_KEY") or None)
    ap.add_argument("--fail-times", type=int, default=int(env("FAKE_FAIL_TIMES", "0")))
    ap.add_argument("--fail-status", type=int, default=int(env("FAKE_FAIL_STATUS", "503")))
    ap.add_argument("--slow-ms", type=int, default=int(env("FAKE_SLOW_MS", "0")))
    ap.add_argument("--bad-json", action="store_true", default=env("FAKE_BAD_JSON") == "1")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    Handler.state = State(args)
    Handler.verbose = args.verbose
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    srv.daemon_threads = True
    threading.Thread(target=watch_parent, args=(os.getppid(),), daemon=True).start()
    print("listening on %d" % srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
