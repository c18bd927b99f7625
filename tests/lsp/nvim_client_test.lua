-- Drives lockcheck's language server with neovim's built-in LSP client (issue 14).
-- Run by nvim_client_test.sh: nvim --headless -u NONE -l is not in 0.7, so `-c luafile`.
-- Environment: LOCKCHECK (binary), PROJECT (a copy of tests/lsp/project), CACHE (cache dir).
local failures = {}
local function check(ok, what)
  if ok then
    io.stdout:write('ok: ' .. what .. '\n')
  else
    io.stdout:write('FAILED: ' .. what .. '\n')
    table.insert(failures, what)
  end
end
local function finish()
  io.stdout:flush()
  vim.cmd(#failures == 0 and 'qall!' or 'cquit! 1')
end

local project = os.getenv('PROJECT')
local client_id = vim.lsp.start_client({
  name = 'lockcheck',
  cmd = { os.getenv('LOCKCHECK'), 'lsp', '--cache-dir', os.getenv('CACHE') },
  cmd_cwd = project,
  root_dir = project,
  init_options = { docsBaseUrl = 'https://lockcheck.invalid/rules' },
  flags = { debounce_text_changes = 0 }, -- the server debounces (300 ms) itself
  on_exit = function(code) io.stdout:write('server exited with ' .. code .. '\n') end,
})
check(client_id ~= nil, 'the client starts lockcheck lsp')
if not client_id then return finish() end

vim.cmd('edit ' .. project .. '/auth.cpp')
local buf = vim.api.nvim_get_current_buf()
vim.lsp.buf_attach_client(buf, client_id)

local function blocking()
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == 'blocking-under-lock' then return d end
  end
end

-- Step 1: the finding crosses files (slow_hash sleeps in crypto.cpp): it appears once the
-- workspace is indexed and auth.cpp's buffer is linked with it.
local found = vim.wait(20000, function() return blocking() ~= nil end, 50)
check(found, 'a blocking-under-lock diagnostic appears for auth.cpp')
if not found then
  io.stdout:write('diagnostics: ' .. vim.inspect(vim.diagnostic.get(buf)) .. '\n')
  return finish()
end
local d = blocking()
check(d.lnum == 4, 'on line 5 (the slow_hash call), got line ' .. (d.lnum + 1))
check(d.col == 9, 'at column 10 (slow_hash), got ' .. (d.col + 1))
check(d.source == 'lockcheck', 'source is lockcheck, got ' .. tostring(d.source))
check(d.severity == vim.diagnostic.severity.ERROR, 'severity is error')
check(d.message:find("slow_hash() blocks (sleep: usleep) while 'store.mu' is held", 1, true) ~= nil,
  'message names the call, the blocking leaf and the lock: ' .. d.message)
local lsp = d.user_data.lsp
check(lsp.codeDescription and lsp.codeDescription.href == 'https://lockcheck.invalid/rules/blocking-under-lock.md',
  'codeDescription links the rule page')
local related = lsp.relatedInformation or {}
check(#related >= 2, 'related information has the lock site and the call steps, got ' .. #related)
if related[1] then
  check(related[1].message == "'store.mu' acquired here", 'first related is the lock site: ' .. related[1].message)
  check(related[1].location.range.start.line == 3, 'lock site on line 4')
  check(related[1].location.uri == vim.uri_from_fname(project .. '/auth.cpp'), 'lock site in auth.cpp')
end
if related[2] then
  check(related[2].location.uri == vim.uri_from_fname(project .. '/crypto.cpp'), 'a call step in crypto.cpp')
end

-- Step 2: move the blocking call out of the locked scope, unsaved (didChange only).
vim.api.nvim_buf_set_lines(buf, 3, 5, false, {
  '  std::string expected;',
  '  {',
  '    std::lock_guard<std::mutex> lock(store.mu);',
  '    expected = store.hashes[user];',
  '  }',
  '  return slow_hash(password) == expected;',
})
local gone = vim.wait(20000, function() return blocking() == nil end, 50)
check(gone, 'the diagnostic disappears after the edit moves the call out of the lock')
check(vim.bo[buf].modified, 'the buffer was not saved (didChange alone)')

vim.lsp.stop_client(client_id)
vim.wait(3000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 50)
finish()
