-- GET Mastodon's home timeline (40 statuses, Mastodon JSON) as a random signed-in account per request.
-- usage: wrk ... -s bench/lua/mastodon-home.lua URL -- TOKENS_FILE
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local common = require("common")
local tokens

setup = common.setup

function init(args)
  common.seed()
  tokens = common.lines(args[1])
end

function request()
  return wrk.format("GET", "/api/v1/timelines/home?limit=40", { ["Authorization"] = "Bearer " .. tokens[math.random(#tokens)] })
end
