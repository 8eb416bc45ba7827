//! Kernel events onto trace records (docs/tracing-real-tock.md lists why
//! each mapping is what it is).

use core::fmt::Write;

use tock_trace::{
    Direction, DiscoverResult, DropReason, IpcDiscover, IpcMessage, IpcRegister, Log, LogLevel,
    MemRegion, NetDown, NetDownReason, NetDrop, NetPacket, NetUp, ProcFault, ProcRestart,
    ProcStart, Record, TransferMode, KERNEL_PID,
};

use crate::event::{CommandOutcome, Event, Peer, SyscallClass, SyscallSeen};
use crate::text::TextBuf;
use crate::{driver_name, is_traced_driver, IPC_DRIVER};

/// At most two records per event (a restart is PROC_RESTART + PROC_START).
pub type Mapped<'r> = [Option<Record<'r>>; 2];

const IPC_DISCOVER: u32 = 1;
const IPC_SERVICE_NOTIFY: u32 = 2;
const IPC_CLIENT_NOTIFY: u32 = 3;

/// The records for `event`. `msg_id` numbers IPC notifications, `text`
/// holds LOG text the mapping formats.
pub fn map_event<'r>(event: &Event<'r>, msg_id: &mut u32, text: &'r mut TextBuf) -> Mapped<'r> {
    match *event {
        Event::ProcessScheduled {
            pid,
            restart_count,
            name,
        } => process_start(pid, restart_count, name),
        Event::ProcessFault { pid, action, info } => one(Record::ProcFault(ProcFault {
            pid,
            reason: info.reason,
            action,
            fault_addr: info.fault_addr,
            pc: info.pc,
        })),
        Event::Syscall(seen) => syscall(&seen, text),
        Event::Command {
            pid,
            index,
            driver,
            command,
            arg0,
            outcome,
            peer,
            ..
        } if driver == IPC_DRIVER => {
            let call = IpcCall {
                pid,
                index,
                command,
                target: arg0,
                peer,
            };
            ipc_command(&call, outcome, msg_id, text)
        }
        Event::Command {
            pid,
            driver,
            command,
            arg0,
            arg1,
            outcome,
            ..
        } => driver_command(pid, driver, command, (arg0, arg1), outcome, text),
        Event::FrameTx { iface, frame } => {
            one(Record::NetTx(NetPacket::whole(iface, KERNEL_PID, frame)))
        }
        Event::FrameRx { iface, frame } => {
            one(Record::NetRx(NetPacket::whole(iface, KERNEL_PID, frame)))
        }
        Event::FrameDrop {
            iface,
            direction,
            reason,
            frame,
        } => one(frame_drop(iface, direction, reason, frame)),
        Event::InterfaceUp { iface } => one(Record::NetUp(NetUp { iface_id: iface })),
        Event::InterfaceDown { iface } => one(Record::NetDown(NetDown {
            iface_id: iface,
            reason: NetDownReason::Admin,
        })),
        Event::Log { level, text } => one(Record::Log(Log { level, text })),
    }
}

fn one(record: Record<'_>) -> Mapped<'_> {
    [Some(record), None]
}

fn process_start(pid: u16, restart_count: u16, name: &str) -> Mapped<'_> {
    let start = Record::ProcStart(ProcStart {
        pid,
        restart_count,
        name,
    });
    if restart_count == 0 {
        return one(start);
    }
    let restart = Record::ProcRestart(ProcRestart { pid, restart_count });
    [Some(restart), Some(start)]
}

fn syscall<'r>(seen: &SyscallSeen<'r>, text: &'r mut TextBuf) -> Mapped<'r> {
    if seen.driver == IPC_DRIVER {
        return [ipc_syscall(seen), None];
    }
    if !is_traced_driver(seen.driver) || seen.class == SyscallClass::Command {
        return [None, None];
    }
    let what = match seen.class {
        SyscallClass::Subscribe => "subscribe",
        SyscallClass::Command => "command",
        SyscallClass::ReadWriteAllow => "allow_rw",
        SyscallClass::UserspaceReadableAllow => "allow_userspace_readable",
        SyscallClass::ReadOnlyAllow => "allow_ro",
    };
    let _ = write!(
        text,
        "pid {} ({}) {} {} {}",
        seen.pid,
        seen.process_name,
        driver_name(seen.driver),
        what,
        seen.number
    );
    if seen.class != SyscallClass::Subscribe {
        let _ = write!(text, " len {}", seen.arg1);
    }
    one(Record::Log(Log {
        level: LogLevel::Debug,
        text: text.as_str(),
    }))
}

/// Today's IPC: a service subscribes at its own index; a process shares a
/// buffer with process `n` by a read-write allow numbered `n`.
fn ipc_syscall<'r>(seen: &SyscallSeen<'r>) -> Option<Record<'r>> {
    match seen.class {
        SyscallClass::Subscribe if seen.number == u32::from(seen.index) => {
            Some(Record::IpcRegister(IpcRegister {
                server_pid: seen.pid,
                service_id: seen.index,
                service_name: seen.process_name,
            }))
        }
        SyscallClass::ReadWriteAllow if seen.arg1 > 0 => Some(Record::MemGrant(MemRegion {
            owner_pid: seen.pid,
            grantee_pid: seen.peer.map_or(KERNEL_PID, |peer| peer.pid),
            addr: seen.arg0,
            len: seen.arg1,
            read: true,
            write: true,
        })),
        _ => None,
    }
}

/// An IPC command: caller, its index, command number, arg0, resolved peer.
struct IpcCall {
    pid: u16,
    index: u16,
    command: u32,
    target: u32,
    peer: Option<Peer>,
}

fn ipc_command<'r>(
    call: &IpcCall,
    outcome: CommandOutcome,
    msg_id: &mut u32,
    text: &'r mut TextBuf,
) -> Mapped<'r> {
    let peer_pid = call.peer.map_or(KERNEL_PID, |peer| peer.pid);
    match (call.command, outcome) {
        (IPC_DISCOVER, CommandOutcome::SuccessU32(index)) => {
            one(Record::IpcDiscover(IpcDiscover {
                client_pid: call.pid,
                service_id: pid16(index),
                result: DiscoverResult::Ok,
                service_name: call.peer.map_or("", |peer| peer.name),
            }))
        }
        (IPC_DISCOVER, CommandOutcome::Failure(_)) => one(Record::IpcDiscover(IpcDiscover {
            client_pid: call.pid,
            service_id: KERNEL_PID,
            result: DiscoverResult::NotFound,
            service_name: "",
        })),
        (IPC_SERVICE_NOTIFY | IPC_CLIENT_NOTIFY, CommandOutcome::Success) => {
            let service_id = if call.command == IPC_SERVICE_NOTIFY {
                pid16(call.target)
            } else {
                call.index
            };
            let id = *msg_id;
            *msg_id = id.wrapping_add(1);
            one(Record::IpcSend(IpcMessage {
                src_pid: call.pid,
                dst_pid: peer_pid,
                service_id,
                conn_id: 0,
                msg_id: id,
                len: 0,
                mode: TransferMode::Shared,
            }))
        }
        (IPC_SERVICE_NOTIFY | IPC_CLIENT_NOTIFY, CommandOutcome::Failure(code)) => {
            let _ = write!(
                text,
                "pid {} ipc notify {} to process {} failed: error {}",
                call.pid, call.command, call.target, code
            );
            one(Record::Log(Log {
                level: LogLevel::Warn,
                text: text.as_str(),
            }))
        }
        _ => [None, None],
    }
}

fn driver_command(
    pid: u16,
    driver: u32,
    command: u32,
    args: (u32, u32),
    outcome: CommandOutcome,
    text: &mut TextBuf,
) -> Mapped<'_> {
    if !is_traced_driver(driver) {
        return [None, None];
    }
    let _ = write!(
        text,
        "pid {} {} command {}({:#x}, {:#x}) -> ",
        pid,
        driver_name(driver),
        command,
        args.0,
        args.1
    );
    let level = match outcome {
        CommandOutcome::Success | CommandOutcome::SuccessOther => {
            let _ = text.write_str("ok");
            LogLevel::Debug
        }
        CommandOutcome::SuccessU32(value) => {
            let _ = write!(text, "ok {}", value);
            LogLevel::Debug
        }
        CommandOutcome::Failure(code) => {
            let _ = write!(text, "error {}", code);
            LogLevel::Warn
        }
    };
    one(Record::Log(Log {
        level,
        text: text.as_str(),
    }))
}

fn frame_drop(iface: u8, direction: Direction, reason: DropReason, frame: &[u8]) -> Record<'_> {
    Record::NetDrop(NetDrop {
        iface_id: iface,
        direction,
        pid: KERNEL_PID,
        reason,
        orig_len: u32::try_from(frame.len()).unwrap_or(u32::MAX),
        data: frame,
    })
}

/// A process index or number as a wire pid (0xFFFF if it does not fit).
fn pid16(value: u32) -> u16 {
    u16::try_from(value).unwrap_or(KERNEL_PID)
}
