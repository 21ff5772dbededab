// SPDX-License-Identifier: MIT
// peer_hnswlib.cpp - hnswlib (Debian libhnswlib-dev, header-only) on the files bench_vector
// writes, for the side-by-side ratio in bench/run. Built there with g++ -O3 -march=native.
//
// Usage: peer_hnswlib DIR [ef_list=16,24,32,48,64] [threads=2] [passes=5]
// Reads DIR/base.fvecs, DIR/query.fvecs, DIR/gt.ivecs (top-10 labels = row numbers); builds
// M 16, ef_construction 100 with 2 threads (the first row alone, the rest from a shared
// counter), inner product space; then per ef: recall@10 and the median QPS of `threads`
// threads over `passes` passes (after one warm-up pass), the same protocol as bench_vector.
#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

static double now_s()
{
    using namespace std::chrono;
    return duration<double>(steady_clock::now().time_since_epoch()).count();
}

static double rss_mb()
{
    long pages = 0, res = 0;
    FILE *f = std::fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    if (std::fscanf(f, "%ld %ld", &pages, &res) != 2)
        res = 0;
    std::fclose(f);
    return res * 4096.0 / 1e6;
}

// Reads a TEXMEX .fvecs / .ivecs file: rows of (int32 d, d values of 4 bytes).
template <typename T> static bool read_vecs(const std::string &path, std::vector<T> &out,
                                            size_t &n, size_t &d)
{
    FILE *f = std::fopen(path.c_str(), "rb");
    if (!f)
        return false;
    int32_t dd = 0;
    n = 0;
    d = 0;
    out.clear();
    while (std::fread(&dd, 4, 1, f) == 1) {
        if (dd <= 0 || (d && (size_t)dd != d)) {
            std::fclose(f);
            return false;
        }
        d = (size_t)dd;
        size_t at = out.size();
        out.resize(at + d);
        if (std::fread(out.data() + at, sizeof(T), d, f) != d) {
            std::fclose(f);
            return false;
        }
        n++;
    }
    std::fclose(f);
    return n > 0;
}

template <typename F> static void run_threads(int threads, F fn)
{
    std::vector<std::thread> th;
    for (int t = 0; t < threads; t++)
        th.emplace_back(fn);
    for (auto &t : th)
        t.join();
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s DIR [ef_list] [threads] [passes]\n", argv[0]);
        return 2;
    }
    std::string dir = argv[1];
    std::string efs_s = argc > 2 ? argv[2] : "16,24,32,48,64";
    int threads = argc > 3 ? std::atoi(argv[3]) : 2;
    int passes = argc > 4 ? std::atoi(argv[4]) : 5;
    const size_t k = 10;

    std::vector<float> base, query;
    std::vector<int32_t> gt;
    size_t n, d, nq, dq, ng, kg;
    if (!read_vecs(dir + "/base.fvecs", base, n, d) ||
        !read_vecs(dir + "/query.fvecs", query, nq, dq) ||
        !read_vecs(dir + "/gt.ivecs", gt, ng, kg) || d != dq || ng != nq || kg < k) {
        std::fprintf(stderr, "peer_hnswlib: cannot read the data files in %s\n", dir.c_str());
        return 1;
    }
    std::vector<int> efs;
    for (const char *s = efs_s.c_str(); *s;) {
        char *end;
        long v = std::strtol(s, &end, 10);
        if (end == s)
            break;
        efs.push_back((int)v);
        s = *end == ',' ? end + 1 : end;
    }

    double rss0 = rss_mb();
    hnswlib::InnerProductSpace space(d);
    hnswlib::HierarchicalNSW<float> index(&space, n, 16, 100, 42);
    double t0 = now_s();
    index.addPoint(base.data(), 0);
    std::atomic<size_t> next(1);
    run_threads(2, [&] {
        for (size_t i; (i = next.fetch_add(1)) < n;)
            index.addPoint(base.data() + i * d, i);
    });
    double build_s = now_s() - t0;
    double mem = rss_mb() - rss0, raw = n * d * 4 / 1e6;
    std::printf("hnswlib: M16 efC100 built in %.2f s (2 threads), RSS +%.1f MB = %.3fx the raw "
                "vectors\n", build_s, mem, mem / raw);
    std::printf("PEER name=hnswlib_build build_s=%.3f mem_mb=%.1f mem_ratio=%.4f\n", build_s, mem,
                mem / raw);
    std::fflush(stdout);

    std::vector<size_t> res(nq * k);
    for (int ef : efs) {
        index.setEf((size_t)ef);
        auto pass = [&] {
            std::atomic<size_t> qi(0);
            double s0 = now_s();
            run_threads(threads, [&] {
                for (size_t i; (i = qi.fetch_add(1)) < nq;) {
                    auto r = index.searchKnn(query.data() + i * d, k);
                    for (size_t j = r.size(); j > 0; j--) {
                        res[i * k + j - 1] = r.top().second;
                        r.pop();
                    }
                }
            });
            return now_s() - s0;
        };
        pass(); // warm-up
        std::vector<double> times;
        for (int p = 0; p < passes; p++)
            times.push_back(pass());
        std::sort(times.begin(), times.end());
        size_t hit = 0;
        for (size_t i = 0; i < nq; i++)
            for (size_t a = 0; a < k; a++)
                for (size_t b = 0; b < k; b++)
                    if (res[i * k + a] == (size_t)gt[i * kg + b]) {
                        hit++;
                        break;
                    }
        double recall = (double)hit / (double)(nq * k);
        double qps = nq / times[times.size() / 2], best = nq / times[0];
        std::printf("hnswlib: ef=%-3d recall@10 %.4f  QPS %.0f (median of %d, best %.0f, %d "
                    "threads)\n", ef, recall, qps, passes, best, threads);
        std::printf("PEER name=hnswlib_search ef=%d recall=%.4f qps=%.0f qps_best=%.0f\n", ef,
                    recall, qps, best);
        std::fflush(stdout);
    }
    return 0;
}
