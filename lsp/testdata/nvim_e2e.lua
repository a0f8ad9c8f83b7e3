-- End-to-end test of medusa-ls in a real Neovim (0.7+), run headless by nvim_e2e_test.go:
--   nvim --headless --noplugin -n -i NONE -u nvim_e2e.lua
-- Environment: MEDUSA_LS_BIN, MEDUSA_ROOT (a copy of examples/store), MEDUSA_PORT.
-- Prints "ok …" lines on stdout; any failure exits with status 1 (cquit), never hangs.
local bin, root, port = os.getenv("MEDUSA_LS_BIN"), os.getenv("MEDUSA_ROOT"), tonumber(os.getenv("MEDUSA_PORT"))
local route = root .. "/src/api/store/hello/route.ts"

local function say(msg) io.stdout:write(msg .. "\n") end
local function fail(msg) error(msg, 0) end
local function wait(ms, what, cond)
  if not vim.wait(ms, cond, 10) then fail("timed out waiting for " .. what) end
end

-- The publishable key /store routes require, from medusa/status (as a client would show it).
local publishable_key = nil

-- A minimal HTTP GET over luv, so the test needs no curl.
local function http_get(path)
  local done, body = false, nil
  local tcp = vim.loop.new_tcp()
  tcp:connect("127.0.0.1", port, function(err)
    if err then done = true return end
    tcp:write("GET " .. path .. " HTTP/1.0\r\nHost: 127.0.0.1\r\nx-publishable-api-key: " .. (publishable_key or "") .. "\r\n\r\n")
    local chunks = {}
    tcp:read_start(function(_, data)
      if data then
        table.insert(chunks, data)
      else
        tcp:close()
        body = table.concat(chunks)
        done = true
      end
    end)
  end)
  vim.wait(10000, function() return done end, 10)
  return body
end

local function run()
  local state, exit_code = nil, nil
  local id = vim.lsp.start_client({
    name = "medusa-ls",
    cmd = { bin },
    root_dir = root,
    init_options = { port = port },
    handlers = {
      ["medusa/status"] = function(_, result)
        state = result and result.state
        if result and result.credentials then publishable_key = result.credentials.publishableKey end
      end,
    },
    on_exit = function(code) exit_code = code end,
  })
  if not id then fail("vim.lsp.start_client returned nil") end

  vim.cmd("edit " .. vim.fn.fnameescape(route))
  local buf = vim.api.nvim_get_current_buf()
  vim.lsp.buf_attach_client(buf, id)
  local client = vim.lsp.get_client_by_id(id)
  wait(20000, "initialize", function() return client.initialized end)
  say("ok initialized")
  wait(60000, "the dev server", function() return state == "ready" end)
  if not publishable_key then fail("medusa/status has no credentials.publishableKey") end
  local body = http_get("/store/hello") or ""
  if not body:find("Hello from", 1, true) then fail("unexpected first body: " .. body) end
  say("ok serving: " .. body:match("{.*}"))

  -- Save a syntax error on line 6.
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local fixed = vim.deepcopy(lines)
  local broken_line
  for i, l in ipairs(lines) do
    if l:find("message:", 1, true) then
      lines[i] = "    message: `Hello from ${storeName()}` +,"
      fixed[i] = "    message: `Greetings from ${storeName()}`,"
      broken_line = i
      break
    end
  end
  if not broken_line then fail("no message: line in " .. route) end
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.cmd("silent write")
  wait(20000, "an error diagnostic", function() return #vim.diagnostic.get(buf) > 0 end)
  local d = vim.diagnostic.get(buf)[1]
  local code = d.user_data and d.user_data.lsp and d.user_data.lsp.code
  if d.severity ~= vim.diagnostic.severity.ERROR then fail("severity " .. tostring(d.severity)) end
  if d.source ~= "medusa" then fail("source " .. tostring(d.source)) end
  if code ~= "syntax-error" then fail("code " .. tostring(code)) end
  if d.lnum + 1 ~= broken_line then fail(string.format("diagnostic on line %d, the error is on line %d", d.lnum + 1, broken_line)) end
  say(string.format("ok error diagnostic line %d: %s (%s)", d.lnum + 1, d.message, code))
  body = http_get("/store/hello") or ""
  if not body:find("Hello from", 1, true) then fail("old code should still serve, got " .. body) end
  say("ok old code still serving")

  -- Fix it: the list clears and the new code is served.
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, fixed)
  vim.cmd("silent write")
  wait(20000, "the diagnostics to clear", function() return #vim.diagnostic.get(buf) == 0 end)
  say("ok diagnostics cleared")
  wait(10000, "the new code", function()
    body = http_get("/store/hello") or ""
    return body:find("Greetings from", 1, true) ~= nil
  end)
  say("ok new code served: " .. body:match("{.*}"))

  vim.lsp.stop_client(id)
  wait(30000, "the server to exit", function() return exit_code ~= nil end)
  if exit_code ~= 0 then fail("server exit code " .. tostring(exit_code)) end
  say("ok server exited 0")
end

local ok, err = xpcall(run, debug.traceback)
if ok then
  vim.cmd("qall!")
else
  io.stdout:write("FAIL " .. tostring(err) .. "\n")
  vim.cmd("cquit 1")
end
