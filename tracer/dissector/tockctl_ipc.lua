-- Wireshark dissector for tockctl trace records (protocol v1 and v2, docs/trace-protocol.md).
--
-- `tockctl trace -w FILE` stores every record that is not a network frame (HELLO, LOG, OVERFLOW,
-- process, IPC, RPC, memory, upcall, NET_UP/DOWN/DELIVER/DROP) as one packet on a LINKTYPE_USER0
-- (147) interface; the packet bytes are the record's 16-byte header followed by its body (no CRC).
-- The device's console text (v2) is stored as packets on a LINKTYPE_USER1 (148) interface named
-- tock-console, one packet per piece (a line, or the text before a frame); protocol "TOCK-CONSOLE".
--
-- Use:  wireshark -X lua_script:tracer/dissector/tockctl_ipc.lua -r capture.pcapng
--   or: tshark -X lua_script:tracer/dissector/tockctl_ipc.lua -r capture.pcapng -V
--   or copy this file to ~/.local/lib/wireshark/plugins/ (Wireshark 4.x).
-- Display filter examples: tockctl.type == 0x24, tockctl.service_id == 1, tockctl.drop.reason == 0

local p = Proto("tockctl", "Tock trace record (tockctl)")

local record_types = {
  [0x01] = "HELLO", [0x02] = "LOG", [0x03] = "OVERFLOW",
  [0x10] = "PROC_START", [0x11] = "PROC_FAULT", [0x12] = "PROC_RESTART",
  [0x20] = "IPC_REGISTER", [0x21] = "IPC_DISCOVER", [0x22] = "IPC_CONNECT",
  [0x23] = "IPC_DISCONNECT", [0x24] = "IPC_SEND", [0x25] = "IPC_RECV", [0x26] = "RPC_CALL",
  [0x27] = "RPC_RETURN", [0x28] = "MEM_GRANT", [0x29] = "MEM_REVOKE", [0x2A] = "UPCALL",
  [0x40] = "NET_UP", [0x41] = "NET_DOWN", [0x42] = "NET_TX", [0x43] = "NET_RX",
  [0x44] = "NET_DROP", [0x45] = "NET_DELIVER",
}
local iface_kinds = { [1] = "ethernet", [2] = "ieee802154", [3] = "wifi", [4] = "can", [5] = "ble" }
local log_levels = { [0] = "error", [1] = "warn", [2] = "info", [3] = "debug" }
local fault_reasons = { [0] = "mpu_violation", [1] = "panic", [2] = "bad_syscall",
                        [3] = "stack_overflow", [4] = "other" }
local fault_actions = { [0] = "restart", [1] = "stop", [2] = "panic_kernel" }
local discover_results = { [0] = "ok", [1] = "not_found", [2] = "denied" }
local disconnect_reasons = { [0] = "closed", [1] = "client_fault", [2] = "server_fault",
                             [3] = "server_restart" }
local modes = { [0] = "copy", [1] = "shared" }
local down_reasons = { [0] = "admin", [1] = "link_lost", [2] = "error" }
local directions = { [0] = "rx", [1] = "tx" }
local drop_reasons = { [0] = "queue_full", [1] = "no_receiver", [2] = "filtered", [3] = "bad_fcs",
                       [4] = "too_big", [5] = "rate_limited", [6] = "interface_down" }

local F = {}
local function add(field) F[#F + 1] = field; return field end
local u8, u16, u32, u64 = ProtoField.uint8, ProtoField.uint16, ProtoField.uint32, ProtoField.uint64
local D, H = base.DEC, base.HEX

local f = {
  version = add(u8("tockctl.version", "Version", D)),
  type = add(u8("tockctl.type", "Record type", H, record_types)),
  flags = add(u16("tockctl.flags", "Flags", H)),
  truncated = add(ProtoField.bool("tockctl.truncated", "Truncated", 16, nil, 0x0001)),
  seq = add(u32("tockctl.seq", "Sequence number", D)),
  ticks = add(u64("tockctl.ticks", "Device ticks", D)),
  -- HELLO
  tick_hz = add(u32("tockctl.tick_hz", "Tick rate (Hz)", D)),
  max_payload = add(u16("tockctl.max_payload", "Max payload", D)),
  board = add(ProtoField.string("tockctl.board", "Board")),
  kernel_version = add(ProtoField.string("tockctl.kernel_version", "Kernel version")),
  n_ifaces = add(u8("tockctl.n_ifaces", "Interfaces", D)),
  iface_id = add(u8("tockctl.iface_id", "Interface id", D)),
  iface_kind = add(u8("tockctl.iface.kind", "Kind", D, iface_kinds)),
  iface_linktype = add(u16("tockctl.iface.linktype", "Link type", D)),
  iface_mtu = add(u16("tockctl.iface.mtu", "MTU", D)),
  iface_addr_len = add(u8("tockctl.iface.addr_len", "Address length", D)),
  iface_addr = add(ProtoField.bytes("tockctl.iface.addr", "Address", base.COLON)),
  iface_name = add(ProtoField.string("tockctl.iface.name", "Name")),
  -- LOG, OVERFLOW
  log_level = add(u8("tockctl.log.level", "Level", D, log_levels)),
  log_text = add(ProtoField.string("tockctl.log.text", "Text")),
  dropped = add(u32("tockctl.overflow.dropped", "Records dropped", D)),
  total_dropped = add(u32("tockctl.overflow.total_dropped", "Records dropped since boot", D)),
  -- processes
  pid = add(u16("tockctl.pid", "Process", D)),
  restart_count = add(u16("tockctl.restart_count", "Restart count", D)),
  proc_name = add(ProtoField.string("tockctl.proc.name", "Process name")),
  fault_reason = add(u8("tockctl.fault.reason", "Fault reason", D, fault_reasons)),
  fault_action = add(u8("tockctl.fault.action", "Action", D, fault_actions)),
  fault_addr = add(u32("tockctl.fault.addr", "Fault address", H)),
  fault_pc = add(u32("tockctl.fault.pc", "PC", H)),
  -- IPC
  server_pid = add(u16("tockctl.server_pid", "Server process", D)),
  client_pid = add(u16("tockctl.client_pid", "Client process", D)),
  service_id = add(u16("tockctl.service_id", "Service id", D)),
  service_name = add(ProtoField.string("tockctl.service_name", "Service name")),
  result = add(u8("tockctl.discover.result", "Result", D, discover_results)),
  conn_id = add(u16("tockctl.conn_id", "Connection", D)),
  buffers = add(u8("tockctl.buffers", "Buffers", D)),
  conn_flags = add(u8("tockctl.conn_flags", "Connection flags", H)),
  reliable = add(ProtoField.bool("tockctl.reliable", "Reliable", 8, nil, 0x01)),
  authenticated = add(ProtoField.bool("tockctl.authenticated", "Authenticated", 8, nil, 0x02)),
  disconnect_reason = add(u8("tockctl.disconnect.reason", "Reason", D, disconnect_reasons)),
  src_pid = add(u16("tockctl.src_pid", "Sender", D)),
  dst_pid = add(u16("tockctl.dst_pid", "Receiver", D)),
  msg_id = add(u32("tockctl.msg_id", "Message id", D)),
  len = add(u32("tockctl.len", "Length", D)),
  mode = add(u8("tockctl.mode", "Mode", D, modes)),
  method = add(u16("tockctl.method", "Method", D)),
  call_id = add(u32("tockctl.call_id", "Call id", D)),
  arg_len = add(u32("tockctl.arg_len", "Argument bytes", D)),
  ret_len = add(u32("tockctl.ret_len", "Result bytes", D)),
  status = add(ProtoField.int32("tockctl.status", "Status", D)),
  owner_pid = add(u16("tockctl.owner_pid", "Owner", D)),
  grantee_pid = add(u16("tockctl.grantee_pid", "Grantee", D)),
  mem_addr = add(u32("tockctl.mem.addr", "Address", H)),
  access = add(u8("tockctl.mem.access", "Access", H)),
  read = add(ProtoField.bool("tockctl.mem.read", "Read", 8, nil, 0x01)),
  write = add(ProtoField.bool("tockctl.mem.write", "Write", 8, nil, 0x02)),
  driver_num = add(u32("tockctl.driver_num", "Driver", H)),
  subscribe_num = add(u32("tockctl.subscribe_num", "Subscribe number", D)),
  arg0 = add(u32("tockctl.arg0", "arg0", H)),
  arg1 = add(u32("tockctl.arg1", "arg1", H)),
  arg2 = add(u32("tockctl.arg2", "arg2", H)),
  -- network
  down_reason = add(u8("tockctl.down.reason", "Reason", D, down_reasons)),
  orig_len = add(u32("tockctl.orig_len", "Original length", D)),
  direction = add(u8("tockctl.direction", "Direction", D, directions)),
  drop_reason = add(u8("tockctl.drop.reason", "Drop reason", D, drop_reasons)),
  data = add(ProtoField.bytes("tockctl.data", "Frame bytes")),
  rx_seq = add(u32("tockctl.rx_seq", "Seq of the NET_RX", D)),
  n_pids = add(u8("tockctl.n_pids", "Receivers", D)),
  deliver_pid = add(u16("tockctl.deliver.pid", "Delivered to", D)),
}
p.fields = F

local e_malformed = ProtoExpert.new("tockctl.malformed", "Record body shorter than its fields",
                                    expert.group.MALFORMED, expert.severity.ERROR)
p.experts = { e_malformed }

-- Interface link types learned from HELLO, to hand dropped frames to the right dissector.
local iface_linktype = {}
local frame_dissectors = { [1] = "eth_withoutfcs", [230] = "wpan_nofcs" }

-- A cursor over the body: each call adds one little-endian field and advances.
local function cursor(buf, tree)
  local c = { off = 16, buf = buf, tree = tree }
  function c:need(n)
    if self.off + n > self.buf:len() then error("short") end
  end
  function c:le(field, n, t)
    self:need(n)
    local r = self.buf(self.off, n)
    local v
    if n == 8 then v = r:le_uint64() elseif field == f.status then v = r:le_int() else v = r:le_uint() end
    ;(t or self.tree):add_le(field, r)
    self.off = self.off + n
    return v
  end
  function c:str(field, lenbytes, t)
    local n = (lenbytes == 2) and self:le_silent(2) or self:le_silent(1)
    self:need(n)
    if n > 0 then (t or self.tree):add(field, self.buf(self.off, n), self.buf(self.off, n):string(ENC_UTF_8)) end
    self.off = self.off + n
    return n > 0 and self.buf(self.off - n, n):string(ENC_UTF_8) or ""
  end
  function c:le_silent(n)
    self:need(n)
    local v = self.buf(self.off, n):le_uint()
    self.off = self.off + n
    return v
  end
  function c:rest(field)
    local n = self.buf:len() - self.off
    if n > 0 then self.tree:add(field, self.buf(self.off, n)) end
    local r = n > 0 and self.buf(self.off, n) or nil
    self.off = self.buf:len()
    return r, n
  end
  return c
end

local function name_of(v, t) return t[v] or tostring(v) end

local bodies = {}

bodies[0x01] = function(c)
  local hz = c:le(f.tick_hz, 4); c:le(f.max_payload, 2)
  local board = c:str(f.board, 1); c:str(f.kernel_version, 1)
  local n = c:le(f.n_ifaces, 1)
  for _ = 1, n do
    c:need(16)
    local sub = c.tree:add(p, c.buf(c.off, 16), "Interface")
    local id = c:le(f.iface_id, 1, sub); c:le(f.iface_kind, 1, sub)
    local lt = c:le(f.iface_linktype, 2, sub); c:le(f.iface_mtu, 2, sub)
    local alen = c:le(f.iface_addr_len, 1, sub)
    if alen > 0 and alen <= 8 then sub:add(f.iface_addr, c.buf(c.off, alen)) end
    c.off = c.off + 8
    local name = c:str(f.iface_name, 1, sub)
    sub:set_text(string.format("Interface %d: %s (link type %d)", id, name, lt))
    iface_linktype[id] = lt
  end
  return string.format("%s, %d Hz, %d interfaces", board, hz, n)
end
bodies[0x02] = function(c)
  local level = c:le(f.log_level, 1)
  return "[" .. name_of(level, log_levels) .. "] " .. c:str(f.log_text, 2)
end
bodies[0x03] = function(c)
  local d = c:le(f.dropped, 4); local t = c:le(f.total_dropped, 4)
  return string.format("device dropped %d (total %d)", d, t)
end
bodies[0x10] = function(c)
  local pid = c:le(f.pid, 2); c:le(f.restart_count, 2)
  return string.format("pid %d %s", pid, c:str(f.proc_name, 1))
end
bodies[0x11] = function(c)
  local pid = c:le(f.pid, 2); local r = c:le(f.fault_reason, 1); c:le(f.fault_action, 1)
  c:le(f.fault_addr, 4); c:le(f.fault_pc, 4)
  return string.format("pid %d %s", pid, name_of(r, fault_reasons))
end
bodies[0x12] = function(c)
  local pid = c:le(f.pid, 2); local n = c:le(f.restart_count, 2)
  return string.format("pid %d restart %d", pid, n)
end
bodies[0x20] = function(c)
  local pid = c:le(f.server_pid, 2); local id = c:le(f.service_id, 2)
  return string.format("pid %d serves %s (id %d)", pid, c:str(f.service_name, 1), id)
end
bodies[0x21] = function(c)
  local pid = c:le(f.client_pid, 2); c:le(f.service_id, 2); local r = c:le(f.result, 1)
  return string.format("pid %d looks up %s: %s", pid, c:str(f.service_name, 1), name_of(r, discover_results))
end
bodies[0x22] = function(c)
  local pid = c:le(f.client_pid, 2); local svc = c:le(f.service_id, 2); local conn = c:le(f.conn_id, 2)
  c:le(f.buffers, 1)
  c:need(1)
  local fl = c.tree:add(f.conn_flags, c.buf(c.off, 1))
  fl:add(f.reliable, c.buf(c.off, 1)); fl:add(f.authenticated, c.buf(c.off, 1))
  c.off = c.off + 1
  return string.format("pid %d -> service %d, conn %d", pid, svc, conn)
end
bodies[0x23] = function(c)
  local pid = c:le(f.client_pid, 2); local svc = c:le(f.service_id, 2); local conn = c:le(f.conn_id, 2)
  local r = c:le(f.disconnect_reason, 1)
  return string.format("pid %d -/- service %d, conn %d: %s", pid, svc, conn, name_of(r, disconnect_reasons))
end
local function message(c)
  local s = c:le(f.src_pid, 2); local d = c:le(f.dst_pid, 2); local svc = c:le(f.service_id, 2)
  c:le(f.conn_id, 2); c:le(f.msg_id, 4); local len = c:le(f.len, 4); local m = c:le(f.mode, 1)
  return string.format("%d -> %d service %d, %d bytes %s", s, d, svc, len, name_of(m, modes))
end
bodies[0x24] = message
bodies[0x25] = message
bodies[0x26] = function(c)
  local cl = c:le(f.client_pid, 2); local sv = c:le(f.server_pid, 2); local svc = c:le(f.service_id, 2)
  local m = c:le(f.method, 2); local id = c:le(f.call_id, 4); c:le(f.arg_len, 4)
  return string.format("%d -> %d service %d method %d call %d", cl, sv, svc, m, id)
end
bodies[0x27] = function(c)
  local cl = c:le(f.client_pid, 2); local sv = c:le(f.server_pid, 2); local svc = c:le(f.service_id, 2)
  local m = c:le(f.method, 2); local id = c:le(f.call_id, 4); c:le(f.ret_len, 4)
  local st = c:le(f.status, 4)
  return string.format("%d <- %d service %d method %d call %d status %d", cl, sv, svc, m, id, st)
end
local function region(c)
  local o = c:le(f.owner_pid, 2); local g = c:le(f.grantee_pid, 2); local a = c:le(f.mem_addr, 4)
  local len = c:le(f.len, 4)
  c:need(1)
  local acc = c.tree:add(f.access, c.buf(c.off, 1))
  acc:add(f.read, c.buf(c.off, 1)); acc:add(f.write, c.buf(c.off, 1))
  c.off = c.off + 1
  return string.format("%d -> %d 0x%08x +%d", o, g, a, len)
end
bodies[0x28] = region
bodies[0x29] = region
bodies[0x2A] = function(c)
  local pid = c:le(f.pid, 2); local drv = c:le(f.driver_num, 4); c:le(f.subscribe_num, 4)
  c:le(f.arg0, 4); c:le(f.arg1, 4); c:le(f.arg2, 4)
  return string.format("pid %d driver 0x%x", pid, drv)
end
bodies[0x40] = function(c) return "interface " .. c:le(f.iface_id, 1) end
bodies[0x41] = function(c)
  local id = c:le(f.iface_id, 1); local r = c:le(f.down_reason, 1)
  return string.format("interface %d: %s", id, name_of(r, down_reasons))
end
local function dissect_frame(c, iface, pinfo, root)
  local r, n = c:rest(f.data)
  local lt = iface_linktype[iface]
  local name = lt and frame_dissectors[lt]
  if r and name then
    local d = Dissector.get(name)
    if d then pcall(function() d:call(r:tvb(), pinfo, root) end) end
  end
  return n
end
local function netframe(c, pinfo, root)
  local id = c:le(f.iface_id, 1); local pid = c:le(f.pid, 2); local ol = c:le(f.orig_len, 4)
  local n = dissect_frame(c, id, pinfo, root)
  return string.format("interface %d pid %d, %d of %d bytes", id, pid, n, ol)
end
bodies[0x42] = netframe
bodies[0x43] = netframe
bodies[0x44] = function(c, pinfo, root)
  local id = c:le(f.iface_id, 1); local dir = c:le(f.direction, 1); c:le(f.pid, 2)
  local r = c:le(f.drop_reason, 1); local ol = c:le(f.orig_len, 4)
  dissect_frame(c, id, pinfo, root)
  return string.format("interface %d %s %d bytes: %s", id, name_of(dir, directions), ol, name_of(r, drop_reasons))
end
bodies[0x45] = function(c)
  local id = c:le(f.iface_id, 1); local rx = c:le(f.rx_seq, 4); local n = c:le(f.n_pids, 1)
  local pids = {}
  for i = 1, n do pids[i] = c:le(f.deliver_pid, 2) end
  return string.format("interface %d rx seq %d -> %s", id, rx, table.concat(pids, ","))
end

function p.dissector(buf, pinfo, root)
  if buf:len() < 16 then return 0 end
  pinfo.cols.protocol = "TOCK"
  local tree = root:add(p, buf(), "Tock trace record")
  tree:add(f.version, buf(0, 1))
  local t = buf(1, 1):uint()
  tree:add(f.type, buf(1, 1))
  local fl = tree:add_le(f.flags, buf(2, 2))
  fl:add_le(f.truncated, buf(2, 2))
  local seq = buf(4, 4):le_uint()
  tree:add_le(f.seq, buf(4, 4))
  tree:add_le(f.ticks, buf(8, 8))
  local tname = record_types[t] or string.format("type 0x%02x", t)
  tree:append_text(", " .. tname .. ", seq " .. seq)
  local body = bodies[t]
  local info = ""
  if body then
    local ok, text = pcall(body, cursor(buf, tree), pinfo, root)
    if ok then info = text else tree:add_proto_expert_info(e_malformed); info = "malformed" end
  end
  pinfo.cols.protocol = "TOCK"  -- again: a dropped frame's own dissector may have set it
  pinfo.cols.info = (tname .. " " .. info):gsub("%c", ".")
  return buf:len()
end

local encap = (wtap_encaps and wtap_encaps.USER0) or wtap.USER0
DissectorTable.get("wtap_encap"):add(encap, p)

-- Console text: the bytes as a string field, the line (control bytes as '.') in the Info column.
local console = Proto("tockctl_console", "Tock console text (tockctl)")
local console_text = ProtoField.string("tockctl.console.text", "Text")
console.fields = { console_text }

function console.dissector(buf, pinfo, root)
  pinfo.cols.protocol = "TOCK-CONSOLE"
  local tree = root:add(console, buf(), "Tock console text")
  tree:add(console_text, buf())
  pinfo.cols.info = buf():raw():gsub("%c", ".")
  return buf:len()
end

local console_encap = (wtap_encaps and wtap_encaps.USER1) or wtap.USER1
DissectorTable.get("wtap_encap"):add(console_encap, console)
