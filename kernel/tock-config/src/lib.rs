//! Kernel configuration types for Tock boards configured by `tockctl`.
//!
//! `tockctl build` turns the `ipc` and `network` sections of a board JSON file into a Rust
//! module, `src/tockctl_config.rs` in the board directory. That module holds `static` and `const`
//! items of the types defined here, so capsule and component setup in the board's `main.rs` can
//! read them:
//!
//! ```
//! use tock_config::{AppSelection, InterfaceKind, LinkAddress, Multiplexing};
//! use tock_config::{NetworkConfig, NetworkInterfaceConfig, Placement, Stack};
//!
//! static NETWORK: NetworkConfig = NetworkConfig {
//!     interfaces: &[NetworkInterfaceConfig {
//!         name: "eth0",
//!         kind: InterfaceKind::Ethernet,
//!         hardware: "eth0",
//!         driver_num: 0x30007,
//!         address: LinkAddress::Mac([0x02, 0, 0, 0, 0, 1]),
//!         mtu: 1500,
//!         stack: Stack::Lwip,
//!         placement: Placement::Userspace,
//!         multiplexing: Multiplexing::Broadcast,
//!         apps: AppSelection::All,
//!         service: None,
//!         channel: None,
//!         pan_id: None,
//!         can_fd: false,
//!     }],
//! };
//! let eth0 = NETWORK.interface("eth0").unwrap();
//! assert_eq!(eth0.mtu, 1500);
//! assert!(eth0.apps.allows("any_app"));
//! ```
//!
//! Every type can be built in a `const` or `static` initializer, borrows only `'static` data and
//! needs no allocator. The crate has no dependencies.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod apps;
mod ipc;
mod network;
mod text;

pub use apps::AppSelection;
pub use ipc::{
    Authentication, ClientConfig, ClientFaultAction, Discovery, FaultPolicy, IpcBackend, IpcConfig,
    IpcInterface, ServerFaultAction, ServerRestart, ServiceConfig, TransferMethod,
};
pub use network::{
    InterfaceKind, LinkAddress, Multiplexing, NetworkConfig, NetworkInterfaceConfig, Placement,
    Stack,
};

/// The board JSON file a generated module was made from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Source {
    /// Board name (the `board.name` of the file).
    pub board: &'static str,
    /// File name of the board JSON file.
    pub file: &'static str,
    /// SHA-256 of the file's bytes, as 64 lowercase hex digits.
    pub sha256: &'static str,
}
