//! Network configuration: the interfaces the kernel brings up, which stack serves each one and
//! where it runs, how received frames reach apps, and which apps may use them.

use crate::apps::AppSelection;
use crate::text;

/// Link kind of an interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InterfaceKind {
    /// Ethernet (tap driver 0x30007, VirtIO-net, LiteEth).
    Ethernet,
    /// IEEE 802.15.4 (driver 0x30001).
    Ieee802154,
    /// WiFi (driver 0x30008).
    Wifi,
    /// CAN (driver 0x20007).
    Can,
    /// BLE advertising (driver 0x30000).
    Ble,
}

/// Network stack serving an interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stack {
    /// No stack: apps use the driver directly.
    Raw,
    /// lwIP.
    Lwip,
    /// smoltcp.
    Smoltcp,
    /// OpenThread.
    OpenThread,
    /// Tock's in-kernel UDP stack.
    TockUdp,
}

/// Where a network stack runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Placement {
    /// In the kernel, in Rust.
    Kernel,
    /// In an app.
    Userspace,
    /// C code encapsulated inside the kernel.
    Encapsulated,
}

/// How received traffic reaches apps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Multiplexing {
    /// Every admitted app receives every frame.
    Broadcast,
    /// Each frame goes to the app that owns its flow.
    Demux,
}

/// Link-layer address of an interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkAddress {
    /// No fixed address (CAN, or chosen by the driver).
    None,
    /// 48-bit MAC (Ethernet, WiFi, BLE).
    Mac([u8; 6]),
    /// 64-bit EUI-64 (IEEE 802.15.4).
    Eui64([u8; 8]),
}

/// One network interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NetworkInterfaceConfig {
    /// Interface name, e.g. `eth0`.
    pub name: &'static str,
    /// Link kind.
    pub kind: InterfaceKind,
    /// Name of the board's network hardware entry serving it.
    pub hardware: &'static str,
    /// Syscall driver number of that hardware; 0 when only the kernel can reach it.
    pub driver_num: u32,
    /// Link-layer address.
    pub address: LinkAddress,
    /// Largest frame payload in bytes.
    pub mtu: u32,
    /// Stack serving the interface.
    pub stack: Stack,
    /// Where the stack runs.
    pub placement: Placement,
    /// How received frames reach apps.
    pub multiplexing: Multiplexing,
    /// Apps that may use the interface.
    pub apps: AppSelection,
    /// IPC service through which a userspace stack serves other apps.
    pub service: Option<&'static str>,
    /// IEEE 802.15.4 channel (11 to 26).
    pub channel: Option<u8>,
    /// IEEE 802.15.4 PAN identifier.
    pub pan_id: Option<u16>,
    /// CAN FD frames (64-byte payloads).
    pub can_fd: bool,
}

impl NetworkInterfaceConfig {
    /// True if apps reach this interface through a syscall driver.
    pub const fn has_syscall_driver(&self) -> bool {
        self.driver_num != 0
    }

    /// True if the stack runs inside the kernel (in Rust or encapsulated C).
    pub const fn stack_in_kernel(&self) -> bool {
        !matches!(self.placement, Placement::Userspace)
    }
}

/// All network interfaces of a board.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NetworkConfig {
    /// Interfaces in the order of the board JSON file.
    pub interfaces: &'static [NetworkInterfaceConfig],
}

impl NetworkConfig {
    /// No interfaces.
    pub const NONE: NetworkConfig = NetworkConfig { interfaces: &[] };

    /// The interface called `name`.
    pub const fn interface(&self, name: &str) -> Option<&NetworkInterfaceConfig> {
        let mut i = 0;
        while i < self.interfaces.len() {
            if text::str_eq(self.interfaces[i].name, name) {
                return Some(&self.interfaces[i]);
            }
            i += 1;
        }
        None
    }

    /// The first interface of `kind`.
    pub const fn first_of_kind(&self, kind: InterfaceKind) -> Option<&NetworkInterfaceConfig> {
        let mut i = 0;
        while i < self.interfaces.len() {
            if self.interfaces[i].kind as u8 == kind as u8 {
                return Some(&self.interfaces[i]);
            }
            i += 1;
        }
        None
    }

    /// Largest MTU over all interfaces (0 without interfaces).
    pub const fn max_mtu(&self) -> u32 {
        let mut max = 0;
        let mut i = 0;
        while i < self.interfaces.len() {
            if self.interfaces[i].mtu > max {
                max = self.interfaces[i].mtu;
            }
            i += 1;
        }
        max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ETH0: NetworkInterfaceConfig = NetworkInterfaceConfig {
        name: "eth0",
        kind: InterfaceKind::Ethernet,
        hardware: "eth0",
        driver_num: 0x30007,
        address: LinkAddress::Mac([0x02, 0x00, 0x00, 0x00, 0x00, 0x01]),
        mtu: 1500,
        stack: Stack::Lwip,
        placement: Placement::Userspace,
        multiplexing: Multiplexing::Broadcast,
        apps: AppSelection::All,
        service: None,
        channel: None,
        pan_id: None,
        can_fd: false,
    };

    const WPAN0: NetworkInterfaceConfig = NetworkInterfaceConfig {
        name: "wpan0",
        kind: InterfaceKind::Ieee802154,
        hardware: "radio",
        driver_num: 0,
        address: LinkAddress::Eui64([0x02, 0, 0, 0, 0, 0, 0, 0x01]),
        mtu: 127,
        stack: Stack::OpenThread,
        placement: Placement::Kernel,
        multiplexing: Multiplexing::Demux,
        apps: AppSelection::Only(&["thread_app"]),
        service: Some("thread"),
        channel: Some(26),
        pan_id: Some(0xabcd),
        can_fd: false,
    };

    const NET: NetworkConfig = NetworkConfig {
        interfaces: &[ETH0, WPAN0],
    };

    #[test]
    fn finds_interfaces_by_name_and_kind() {
        assert_eq!(NET.interface("wpan0"), Some(&WPAN0));
        assert_eq!(NET.interface("wlan0"), None);
        assert_eq!(NET.first_of_kind(InterfaceKind::Ethernet), Some(&ETH0));
        assert_eq!(NET.first_of_kind(InterfaceKind::Can), None);
    }

    #[test]
    fn max_mtu_is_the_largest() {
        const MTU: u32 = NET.max_mtu();
        assert_eq!(MTU, 1500);
        assert_eq!(NetworkConfig::NONE.max_mtu(), 0);
    }

    #[test]
    fn driver_and_placement_queries() {
        assert!(ETH0.has_syscall_driver());
        assert!(!WPAN0.has_syscall_driver());
        assert!(!ETH0.stack_in_kernel());
        assert!(WPAN0.stack_in_kernel());
        let encapsulated = NetworkInterfaceConfig {
            placement: Placement::Encapsulated,
            ..ETH0
        };
        assert!(encapsulated.stack_in_kernel());
    }
}
