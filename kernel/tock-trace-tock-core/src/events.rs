//! Which kinds of records a tracer writes: the board JSON's `trace.events`.

use crate::event::Event;
use crate::IPC_DRIVER;

/// A set of record kinds. A kernel event outside the set is not recorded
/// (and not counted as dropped).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventSet(u8);

impl EventSet {
    /// Nothing.
    pub const NONE: EventSet = EventSet(0);
    /// PROC_START, PROC_RESTART, PROC_FAULT.
    pub const PROCESSES: EventSet = EventSet(1);
    /// Syscalls on today's IPC driver (0x10000): IPC_REGISTER, IPC_DISCOVER,
    /// IPC_SEND, MEM_GRANT and the LOG warning of a failed notify.
    pub const IPC: EventSet = EventSet(2);
    /// Frames and interface state: NET_TX, NET_RX, NET_DROP, NET_UP, NET_DOWN.
    pub const NETWORK: EventSet = EventSet(4);
    /// Syscalls on the network drivers (0x30001, 0x30002, 0x30007) as LOG lines.
    pub const SYSCALLS: EventSet = EventSet(8);
    /// LOG records the board writes with `tracer.log`.
    pub const LOG: EventSet = EventSet(16);
    /// Every kind above.
    pub const ALL: EventSet = EventSet(31);

    /// This set and `other`.
    pub const fn with(self, other: EventSet) -> EventSet {
        EventSet(self.0 | other.0)
    }

    /// Every kind in `sets` (what a board JSON's `trace.events` lists).
    pub const fn union(sets: &[EventSet]) -> EventSet {
        let mut bits = 0;
        let mut rest = sets;
        while let [first, tail @ ..] = rest {
            bits |= first.0;
            rest = tail;
        }
        EventSet(bits)
    }

    /// True if every kind of `other` is in this set.
    pub const fn contains(self, other: EventSet) -> bool {
        self.0 & other.0 == other.0
    }

    /// The kind `event` belongs to.
    pub fn of(event: &Event<'_>) -> EventSet {
        match event {
            Event::ProcessScheduled { .. } | Event::ProcessFault { .. } => EventSet::PROCESSES,
            Event::Syscall(seen) => Self::of_driver(seen.driver),
            Event::Command { driver, .. } => Self::of_driver(*driver),
            Event::FrameTx { .. }
            | Event::FrameRx { .. }
            | Event::FrameDrop { .. }
            | Event::InterfaceUp { .. }
            | Event::InterfaceDown { .. } => EventSet::NETWORK,
            Event::Log { .. } => EventSet::LOG,
        }
    }

    fn of_driver(driver: u32) -> EventSet {
        if driver == IPC_DRIVER {
            EventSet::IPC
        } else {
            EventSet::SYSCALLS
        }
    }
}
