-- wrk script: the auto-approved gate check, POST /api/requests with a bearer key.
wrk.method = "POST"
wrk.body = '{"action":"read_file","params":{"path":"/srv/app/README.md","bytes":4096},"context":{"agent":"bench","run":42},"urgency":"low"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("AGENTGATE_KEY")

dofile("scripts/result.lua")
