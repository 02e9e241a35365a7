-- The soak's request mix for wrk (bench/soak): reads of users and their orders, order placements, user sign-ups.
-- SOAK_USERS (comma-separated ids), SOAK_PRODUCT and SOAK_TOKEN come from bench/soak; counts of 5xx and of each
-- request kind are kept per thread and summed in done().

local users = {}
for id in string.gmatch(os.getenv("SOAK_USERS") or "", "[^,]+") do users[#users + 1] = id end
local product = os.getenv("SOAK_PRODUCT")
local auth = "Bearer " .. (os.getenv("SOAK_TOKEN") or "")
-- SOAK_SIGNUPS=0 (bench/soak --no-signups) sends the sign-ups' share as orders.
local lastOrder = os.getenv("SOAK_SIGNUPS") == "0" and 1000 or 995
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  threads[#threads + 1] = thread
end

function init(args)
  math.randomseed(os.time() * 1000 + id)
  failures = 0
  clientErrors = 0
  sent = 0
  seq = 0
end

local function headers(json)
  local h = { ["Authorization"] = auth }
  if json then h["Content-Type"] = "application/json" end
  return h
end

function request()
  sent = sent + 1
  local user = users[math.random(#users)]
  local r = math.random(1000)
  if r <= 700 then
    return wrk.format("GET", "/users/" .. user, headers(false))
  elseif r <= 850 then
    return wrk.format("GET", "/users/" .. user .. "/orders?limit=20", headers(false))
  elseif r <= lastOrder then
    local body = '{"userId":"' .. user .. '","items":[{"productId":"' .. product .. '","quantity":' .. math.random(1, 5) .. '}]}'
    return wrk.format("POST", "/orders", headers(true), body)
  else
    seq = seq + 1
    local body = '{"email":"soak.' .. id .. '.' .. seq .. '.' .. math.random(1000000000) .. '@example.com","name":"Soak User","password":"a soak passphrase long enough"}'
    return wrk.format("POST", "/users", headers(true), body)
  end
end

function response(status, headers, body)
  if status >= 500 then
    failures = failures + 1
  elseif status >= 400 then
    clientErrors = clientErrors + 1
  end
end

function done(summary, latency, requests)
  local f, c = 0, 0
  for _, thread in ipairs(threads) do
    f = f + thread:get("failures")
    c = c + thread:get("clientErrors")
  end
  io.write(string.format("soak-result requests=%d p50_us=%d p99_us=%d max_us=%d fivexx=%d fourxx=%d socket_errors=%d\n",
    summary.requests, latency:percentile(50), latency:percentile(99), latency.max, f, c,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
