-- wrk script: a page of 50 pending requests, GET /api/requests?status=pending&limit=50.
wrk.method = "GET"
wrk.path = "/api/requests?status=pending&limit=50"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("AGENTGATE_KEY")

dofile("scripts/result.lua")
