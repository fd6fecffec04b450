-- wrk script: the auto-approved gate check, POST /api/requests with a bearer key.
wrk.method = "POST"
wrk.body = '{"action":"read_file","params":{"path":"/srv/app/README.md","bytes":4096},"context":{"agent":"bench","run":42},"urgency":"low"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("AGENTGATE_KEY")

done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
