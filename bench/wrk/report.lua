-- Shared by every scenario: print one JSON line with throughput, latency percentiles and errors.
-- Optional per-request variety: a file of paths (one per line) named by the PATHS environment
-- variable, and POST bodies built from a template with {token} and {csrf} placeholders.

local paths = nil
local tokens = nil
local counter = 0
local method = os.getenv("WRK_METHOD") or "GET"
local body_template = os.getenv("WRK_BODY") or ""
local cookie_name = os.getenv("WRK_COOKIE") or ""
-- WRK_SPREAD_ADDRESSES=1: each POST comes from one of 65,536 client addresses, passed on in
-- X-Forwarded-For as the reverse proxy in front of production would (the server trusts one).
local spread_addresses = os.getenv("WRK_SPREAD_ADDRESSES") == "1"
-- WRK_RETURNING=1: GET requests come from returning readers, each with the CSRF cookie of an
-- earlier visit and one of the tokens' cookies. Otherwise a GET carries no cookie.
local returning = os.getenv("WRK_RETURNING") == "1"

local function read_lines(name)
  local lines = {}
  local file = io.open(name, "r")
  if file == nil then return nil end
  for line in file:lines() do lines[#lines + 1] = line end
  file:close()
  return lines
end

function setup(thread)
  thread:set("thread_offset", math.random(1, 1000000))
end

function init(args)
  local paths_file = os.getenv("WRK_PATHS")
  if paths_file and paths_file ~= "" then paths = read_lines(paths_file) end
  local tokens_file = os.getenv("WRK_TOKENS")
  if tokens_file and tokens_file ~= "" then tokens = read_lines(tokens_file) end
  counter = thread_offset or math.random(1, 1000000)
end

local charset = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
local function csrf_secret()
  local out = {}
  for i = 1, 32 do
    local n = math.random(1, #charset)
    out[i] = charset:sub(n, n)
  end
  return table.concat(out)
end

-- The token a page's form carries: the secret masked as Django masks it (a random mask, then
-- each character of the secret shifted by the mask's), which is what a browser posts back.
local function masked_token(secret)
  local mask = csrf_secret()
  local out = {}
  for i = 1, 32 do
    local s = charset:find(secret:sub(i, i), 1, true) - 1
    local m = charset:find(mask:sub(i, i), 1, true) - 1
    local n = (s + m) % #charset + 1
    out[i] = charset:sub(n, n)
  end
  return mask .. table.concat(out)
end

-- A browser's user agent: the poll refuses votes from clients that look like bots.
wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36"

function request()
  counter = counter + 1
  local path = wrk.path
  local this_method, body = method, body_template
  if paths then path = paths[(counter % #paths) + 1] end
  -- A line "POST <path> <body>" in the paths file is a form post (the mixed profile's cart and
  -- vote requests); any other line is a path to GET.
  local post_path, post_body = path:match("^POST (%S+) (.*)$")
  if post_path then
    this_method, path, body = "POST", post_path, post_body
  end
  if this_method == "GET" then
    if not (returning and tokens) then return wrk.format("GET", path) end
    local token = tokens[(counter % #tokens) + 1]
    return wrk.format("GET", path, {
      ["User-Agent"] = wrk.headers["User-Agent"],
      ["Cookie"] = "csrftoken=" .. csrf_secret() .. "; " .. cookie_name .. "=" .. token,
    })
  end
  local csrf = csrf_secret()
  local headers = {
    ["User-Agent"] = wrk.headers["User-Agent"],
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-CSRFToken"] = masked_token(csrf),
    ["X-Requested-With"] = "fetch",
  }
  local cookie = "csrftoken=" .. csrf
  if tokens then
    local token = tokens[(counter % #tokens) + 1]
    cookie = cookie .. "; " .. cookie_name .. "=" .. token
  end
  headers["Cookie"] = cookie
  if spread_addresses then
    headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", math.floor(counter / 65536) % 256,
      math.floor(counter / 256) % 256, counter % 256)
  end
  return wrk.format("POST", path, headers, body)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"errors_connect": %d, "errors_read": %d, "errors_write": %d, "errors_timeout": %d, "errors_status": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, errors.connect, errors.read, errors.write, errors.timeout, errors.status))
end
