-- wrk script for bench/serve/run.sh: POST / with the reference's JSON, the image URL from BENCH_IMAGE_URL.
-- At the end it prints one machine-readable line (latencies in microseconds; errors split as wrk counts them:
-- `status` is responses with a status >= 400, the others are socket errors).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format('{"image_url": "%s", "prediction_count": 5}', os.getenv("BENCH_IMAGE_URL"))

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "bench: requests=%d duration_us=%d p50_us=%d p99_us=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
