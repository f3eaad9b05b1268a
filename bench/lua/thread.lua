-- GET a busy conversation: the thread page (html) or the JSON thread (api), a random one per request.
-- usage: wrk ... -s bench/lua/thread.lua URL -- THREADS_FILE html|api
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local common = require("common")
local paths = {}

setup = common.setup

function init(args)
  common.seed()
  local kind = args[2] or "html"
  for _, line in ipairs(common.lines(args[1])) do
    local handle, id = line:match("^(%S+)%s+(%d+)$")
    if handle then
      paths[#paths + 1] = kind == "api" and ("/api/drawbridge/v1/posts/" .. id .. "/thread") or ("/@" .. handle .. "/" .. id)
    end
  end
end

function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
