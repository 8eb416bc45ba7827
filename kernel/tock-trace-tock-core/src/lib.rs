//! The part of the Tock-side tracer that needs no Tock types.
//!
//! The Tock adapter (`tock-trace-tock`) turns what the kernel's board hooks
//! show (a syscall with its process, a command's result, a fault policy's
//! decision, a context switch, an Ethernet or 802.15.4 frame) into an
//! [`Event`]; [`TracerCore`] maps each event onto the records of
//! `docs/trace-protocol.md` and queues them, whole frames only, in a bounded
//! [`tock_trace::TraceBuffer`]. Nothing here allocates, blocks or panics; a
//! record that does not fit is counted and reported by an OVERFLOW record.

#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic
    )
)]

mod event;
mod events;
mod fault;
mod map;
mod net;
mod procs;
mod text;
mod tracer;

pub use event::{CommandOutcome, Event, Peer, SyscallClass, SyscallSeen};
pub use events::EventSet;
pub use fault::{decode_rv32_stored_state, FaultInfo};
pub use map::{map_event, Mapped};
pub use net::{
    drop_reason, error_code, ieee802154_interface, radio_frame, radio_hil, radio_received,
    LinkState,
};
pub use procs::ProcTable;
pub use text::TextBuf;
pub use tock_trace;
pub use tracer::{TracerConfig, TracerCore};

/// Tock's IPC driver number (`kernel::ipc::DRIVER_NUM`).
pub const IPC_DRIVER: u32 = 0x10000;
/// IEEE 802.15.4 radio driver number.
pub const IEEE802154_DRIVER: u32 = 0x30001;
/// UDP driver number.
pub const UDP_DRIVER: u32 = 0x30002;
/// Ethernet tap driver number (`capsules_extra::ethernet_tap::DRIVER_NUM`).
pub const ETHERNET_TAP_DRIVER: u32 = 0x30007;

/// True for the drivers whose syscalls the tracer records.
pub const fn is_traced_driver(driver: u32) -> bool {
    matches!(
        driver,
        IPC_DRIVER | IEEE802154_DRIVER | UDP_DRIVER | ETHERNET_TAP_DRIVER
    )
}

/// Short name of a traced network driver, used in LOG text.
pub const fn driver_name(driver: u32) -> &'static str {
    match driver {
        IPC_DRIVER => "ipc",
        IEEE802154_DRIVER => "ieee802154",
        UDP_DRIVER => "udp",
        ETHERNET_TAP_DRIVER => "eth_tap",
        _ => "driver",
    }
}
