//! How a board's main.rs reads the module `tockctl build` generates (docs/build.md).
//!
//! In a board crate this file would be `src/board_setup.rs`, declared next to the generated module
//! in main.rs:
//!
//!     mod tockctl_config;
//!     mod board_setup;
//!
//! tockctl's tests compile it against the module generated for every catalog board.

use tock_config::{InterfaceKind, Placement, TransferMethod};

use super::tockctl_config;

/// A receive buffer sized for the largest MTU in the board file, known at compile time.
pub type RxBuffer = [u8; tockctl_config::NETWORK_MAX_MTU];

/// Number of IPC services, for sizing the kernel's service table.
pub const SERVICE_SLOTS: usize = tockctl_config::IPC_SERVICE_COUNT;

/// The driver number to register for the Ethernet tap capsule, when the board file gives the
/// board an Ethernet interface served from userspace (e.g. lwIP in an app).
pub fn ethernet_tap_driver() -> Option<u32> {
    let eth = tockctl_config::NETWORK.first_of_kind(InterfaceKind::Ethernet)?;
    if eth.has_syscall_driver() && eth.placement == Placement::Userspace {
        Some(eth.driver_num)
    } else {
        None
    }
}

/// Whether the IPC capsule copies a message of `len` bytes or shares the sender's buffer.
pub fn ipc_transfer(len: u32) -> TransferMethod {
    tockctl_config::IPC.transfer_for(len)
}

/// Whether the kernel lets `app` connect to the IPC service called `service`.
pub fn may_connect(app: &str, service: &str) -> bool {
    tockctl_config::IPC.may_connect(app, service)
}

/// Whether the kernel should keep today's IPC driver (0x10000) next to the new interfaces.
pub fn keep_legacy_ipc() -> bool {
    tockctl_config::LEGACY_IPC && tockctl_config::IPC.enabled()
}
