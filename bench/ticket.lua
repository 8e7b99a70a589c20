-- wrk script: kiosks taking queue tickets (POST /api/v1/public/tickets), one durable write each
-- (ticket, day counter, queue version, audit entry, fsync'd commit). Rotates over the demo's 12
-- sites and two window kinds so the 999-a-day numbers of one kind do not run out.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
local kinds = { "general", "assisted" }
request = function()
  n = n + 1
  local body = string.format('{"site_id":%d,"kind":"%s"}', (n % 12) + 1, kinds[math.floor(n / 12) % 2 + 1])
  return wrk.format(nil, nil, nil, body)
end
