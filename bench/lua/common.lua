-- Shared by the wrk scripts: each wrk thread gets its own number (for seeding and unique post texts).
local common = {}
local counter = 0

function common.setup(thread)
  counter = counter + 1
  thread:set("thread_number", counter)
end

function common.lines(path)
  local lines = {}
  for line in io.lines(path) do
    if #line > 0 then lines[#lines + 1] = line end
  end
  if #lines == 0 then error("no lines in " .. path) end
  return lines
end

function common.seed()
  math.randomseed(os.time() * 1000 + (thread_number or 0) * 7919)
end

return common
