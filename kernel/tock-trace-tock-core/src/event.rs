//! What the Tock adapter saw, in plain integers and strings.

use tock_trace::{Direction, DropReason, FaultAction, LogLevel};

use crate::fault::FaultInfo;

/// Which allow or subscribe class a syscall was (commands are seen with their
/// result by the driver proxy instead).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyscallClass {
    /// Subscribe.
    Subscribe,
    /// Command (seen by the syscall filter, before the driver runs).
    Command,
    /// Read-write allow.
    ReadWriteAllow,
    /// Userspace-readable allow.
    UserspaceReadableAllow,
    /// Read-only allow.
    ReadOnlyAllow,
}

/// Another process an IPC syscall names by its index (the number Tock's IPC
/// driver uses for a service), resolved by the adapter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Peer {
    /// Index among the kernel's processes (IPC service id).
    pub index: u16,
    /// Its pid (`ProcessId::id()`).
    pub pid: u16,
    /// Its TBF package name.
    pub name: &'static str,
}

/// A syscall as the kernel's `SyscallFilter` sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyscallSeen<'a> {
    /// Process id (`ProcessId::id()`, the PID Tock's process console shows).
    pub pid: u16,
    /// The process's index (IPC service id), 0xFFFF if unknown.
    pub index: u16,
    /// The process's TBF package name.
    pub process_name: &'a str,
    /// Syscall class.
    pub class: SyscallClass,
    /// Driver number.
    pub driver: u32,
    /// Subscribe, command or allow number.
    pub number: u32,
    /// Command arg0, or the allow address.
    pub arg0: u32,
    /// Command arg1, or the allow size.
    pub arg1: u32,
    /// For an IPC read-write allow: the process numbered by `number`.
    pub peer: Option<Peer>,
}

/// The result of a command as the driver returned it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommandOutcome {
    /// Success without a value.
    Success,
    /// Success with one u32.
    SuccessU32(u32),
    /// Success with another payload.
    SuccessOther,
    /// Failure with Tock `ErrorCode` (1 FAIL, 2 BUSY, ... 11 NODEVICE).
    Failure(u32),
}

/// One kernel event the tracer records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// The kernel is about to run a process (context switch hook). Becomes
    /// PROC_START (and PROC_RESTART) the first time for each restart count.
    ProcessScheduled {
        /// Process id.
        pid: u16,
        /// Restarts so far.
        restart_count: u16,
        /// TBF package name.
        name: &'static str,
    },
    /// The board's fault policy decided what happens to a faulted process.
    ProcessFault {
        /// Process id.
        pid: u16,
        /// The policy's decision.
        action: FaultAction,
        /// Cause, address and pc, as far as the saved state tells.
        info: FaultInfo,
    },
    /// A syscall passed through the filter.
    Syscall(SyscallSeen<'a>),
    /// A command returned.
    Command {
        /// Process id.
        pid: u16,
        /// The caller's index (IPC service id), 0xFFFF if unknown.
        index: u16,
        /// Driver number.
        driver: u32,
        /// Command number.
        command: u32,
        /// arg0 (for IPC notify: the target process index).
        arg0: u32,
        /// arg1.
        arg1: u32,
        /// What the driver returned.
        outcome: CommandOutcome,
        /// For IPC: the process found by discover, or the notify target.
        peer: Option<Peer>,
    },
    /// A frame handed to the interface.
    FrameTx {
        /// Interface id from the HELLO table.
        iface: u8,
        /// Frame bytes without FCS.
        frame: &'a [u8],
    },
    /// A frame received from the interface.
    FrameRx {
        /// Interface id.
        iface: u8,
        /// Frame bytes without FCS.
        frame: &'a [u8],
    },
    /// A frame the interface refused or failed to send, or received and
    /// discarded.
    FrameDrop {
        /// Interface id.
        iface: u8,
        /// Sent (`Tx`) or received (`Rx`).
        direction: Direction,
        /// Why.
        reason: DropReason,
        /// Frame bytes (may be empty).
        frame: &'a [u8],
    },
    /// The interface's receive path was enabled.
    InterfaceUp {
        /// Interface id.
        iface: u8,
    },
    /// The interface's receive path was disabled.
    InterfaceDown {
        /// Interface id.
        iface: u8,
    },
    /// A log line.
    Log {
        /// Severity.
        level: LogLevel,
        /// Text.
        text: &'a str,
    },
}
