// Signing throughput: what SigV4 adds to every request essnap sends.
//   small GET: an OpenSearch search call (no body), signing key cached as in steady state;
//   1 MiB PUT: an S3 part upload, payload hashing included;
//   cold key: the once-a-day key derivation (four extra HMACs) on every call.
#include <benchmark/benchmark.h>

#include <string>

#include "essnap/aws/sigv4.hpp"
#include "essnap/util/crypto.hpp"

namespace {

using namespace essnap::aws;

Credentials bench_credentials() {
  Credentials c;
  c.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  c.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  c.session_token = "FwoGZXIvYXdzEBYaDExampleSessionTokenValue//////////";
  return c;
}

SigningParams bench_params(std::string service) {
  SigningParams p;
  p.region = "us-east-1";
  p.service = std::move(service);
  p.time = *parse_amz_date("20240115T093000Z");
  return p;
}

void BM_SignSmallGet(benchmark::State& state) {
  SigningRequest r;
  r.method = "GET";
  r.url = "https://search-logs-abc123.us-east-1.es.amazonaws.com/_snapshot/repo/_all?verbose=false";
  r.headers = {{"Accept", "application/json"}, {"User-Agent", "essnap/0.1"}};
  const Credentials c = bench_credentials();
  const SigningParams p = bench_params("es");
  for (auto _ : state) {
    auto s = sign(r, c, p);
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_SignSmallGet);

void BM_SignSmallGetColdKey(benchmark::State& state) {
  SigningRequest r;
  r.method = "GET";
  r.url = "https://search-logs-abc123.us-east-1.es.amazonaws.com/_cat/indices";
  Credentials c = bench_credentials();
  const SigningParams p = bench_params("es");
  bool flip = false;
  for (auto _ : state) {
    // Alternating secrets defeats the per-thread key cache.
    c.secret_access_key.back() = (flip = !flip) ? 'X' : 'Y';
    auto s = sign(r, c, p);
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_SignSmallGetColdKey);

void BM_SignPut1MiB(benchmark::State& state) {
  const std::string body(1 << 20, 'x');
  SigningRequest r;
  r.method = "PUT";
  r.url =
      "https://my-bucket.s3.us-east-1.amazonaws.com/indices/abc/0/__blob?partNumber=1&uploadId=x";
  r.headers = {{"Content-Type", "application/octet-stream"}};
  r.body = body;
  const Credentials c = bench_credentials();
  const SigningParams p = bench_params("s3");
  for (auto _ : state) {
    auto s = sign(r, c, p);
    benchmark::DoNotOptimize(s);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * body.size());
}
BENCHMARK(BM_SignPut1MiB);

void BM_Sha256_1MiB(benchmark::State& state) {
  const std::string body(1 << 20, 'x');
  for (auto _ : state) {
    auto d = essnap::util::sha256(body);
    benchmark::DoNotOptimize(d);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * body.size());
}
BENCHMARK(BM_Sha256_1MiB);

void BM_PresignS3(benchmark::State& state) {
  SigningRequest r;
  r.method = "GET";
  r.url = "https://my-bucket.s3.us-east-1.amazonaws.com/indices/abc/0/__blob";
  const Credentials c = bench_credentials();
  const SigningParams p = bench_params("s3");
  for (auto _ : state) {
    auto s = presign(r, c, p, 3600);
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_PresignS3);

}  // namespace

BENCHMARK_MAIN();
