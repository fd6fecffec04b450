-- wrk script: creates about SEED_COUNT pending requests (no policy decides "deploy"),
-- then stops. Run with -t1; up to one request per connection may go past the count.
wrk.method = "POST"
wrk.body = '{"action":"deploy","params":{"service":"billing","version":"2026.03.1","replicas":3,"regions":["eu-west-1","us-east-1"]},"context":{"agent":"release-bot","run":42},"urgency":"normal"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("AGENTGATE_KEY")

local target = tonumber(os.getenv("SEED_COUNT") or "50000")
local done = 0
response = function(status, headers, body)
  done = done + 1
  if done >= target then wrk.thread:stop() end
end
