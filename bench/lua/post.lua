-- POST a new note as a random account per request; every text is unique.
-- usage: wrk ... -s bench/lua/post.lua URL -- TOKENS_FILE
package.path = debug.getinfo(1, "S").source:match("^@(.*/)") .. "?.lua;" .. package.path
local common = require("common")
local tokens
local sent = 0

setup = common.setup

function init(args)
  common.seed()
  tokens = common.lines(args[1])
end

function request()
  sent = sent + 1
  local body = string.format('{"text":"Shift note %d-%d: handover went well and the team looked after each other today. #nhssm"}', thread_number or 0, sent)
  return wrk.format("POST", "/api/drawbridge/v1/posts", {
    ["Authorization"] = "Bearer " .. tokens[math.random(#tokens)],
    ["Content-Type"] = "application/json",
  }, body)
end
