//! IPC configuration: the interfaces the kernel offers, the back-end that moves data, the
//! services apps provide and what happens when an app faults.

use crate::apps::AppSelection;
use crate::text;

/// A userspace IPC interface the kernel offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IpcInterface {
    /// One-way messages between a client and a server.
    MessagePassing,
    /// Buffers a server and a client both map.
    SharedMemory,
    /// Calls that return a reply.
    Rpc,
}

/// How the kernel moves IPC data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IpcBackend {
    /// Always copy (for MPUs that cannot map arbitrary buffers, e.g. ARMv7-M).
    Copy,
    /// Always share memory through a protection region.
    Shared,
    /// Copy messages up to the copy threshold, share larger ones.
    Auto,
}

/// How one transfer is carried out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferMethod {
    /// The kernel copies the bytes into the receiver's buffer.
    Copy,
    /// The receiver gets access to the sender's buffer.
    Share,
}

/// How clients find services.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Discovery {
    /// By a service name of up to 20 bytes (registry driver 0xA0000).
    StringName,
    /// By the server's TBF package name (registry driver 0xA0001).
    PackageName,
}

/// What clients see when their server faults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerFaultAction {
    /// Pending calls fail and clients get an upcall.
    Notify,
    /// Clients are reconnected to the restarted server.
    Reconnect,
}

/// What the kernel does with a faulted server process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerRestart {
    /// Restart the server.
    Restart,
    /// Leave the server stopped.
    Stop,
}

/// What happens to a faulted client's connections. Other clients are never affected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientFaultAction {
    /// Release the connections silently.
    Release,
    /// Release them and tell the server.
    NotifyServer,
}

/// How a server learns who its client is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Authentication {
    /// Servers are not told.
    None,
    /// By the client's TBF package name.
    PackageName,
    /// By the client's application identifier.
    AppId,
}

/// One service: a server app answering clients through one interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServiceConfig {
    /// Name clients discover the service by.
    pub name: &'static str,
    /// Package name of the server app.
    pub server: &'static str,
    /// Interface the service uses.
    pub interface: IpcInterface,
    /// Apps that may connect.
    pub allowed_clients: AppSelection,
    /// Buffers each connection may register.
    pub buffers_per_connection: u32,
    /// Largest message in bytes.
    pub max_message_size: u32,
    /// Most clients connected at once.
    pub max_clients: u32,
    /// Whether the server is told who each client is.
    pub authenticate: bool,
}

/// One client app and the services it connects to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientConfig {
    /// Package name of the client app.
    pub app: &'static str,
    /// Names of the services it uses.
    pub services: &'static [&'static str],
    /// Keep requests for a restarting server instead of failing them.
    pub reliable: bool,
}

/// Fault behaviour seen by clients and servers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FaultPolicy {
    /// What clients see when their server faults.
    pub server_fault: ServerFaultAction,
    /// What happens to the faulted server.
    pub server_restart: ServerRestart,
    /// What happens to a faulted client's connections.
    pub client_fault: ClientFaultAction,
    /// How long reliable clients' requests wait for a restarting server, in milliseconds.
    pub reliable_timeout_ms: u32,
}

impl FaultPolicy {
    /// Notify clients, restart the server, tell the server about faulted clients, 1 s timeout.
    pub const DEFAULT: FaultPolicy = FaultPolicy {
        server_fault: ServerFaultAction::Notify,
        server_restart: ServerRestart::Restart,
        client_fault: ClientFaultAction::NotifyServer,
        reliable_timeout_ms: 1000,
    };
}

/// The whole IPC configuration of a board.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpcConfig {
    /// Interfaces offered; empty means IPC is off.
    pub interfaces: &'static [IpcInterface],
    /// How data moves.
    pub backend: IpcBackend,
    /// With [`IpcBackend::Auto`], messages up to this many bytes are copied.
    pub copy_threshold: u32,
    /// How clients find services.
    pub discovery: Discovery,
    /// Services apps provide.
    pub services: &'static [ServiceConfig],
    /// Client apps and the services they use.
    pub clients: &'static [ClientConfig],
    /// Fault behaviour.
    pub fault_policy: FaultPolicy,
    /// How servers learn who their clients are.
    pub authentication: Authentication,
}

impl IpcConfig {
    /// IPC switched off: no interfaces, services or clients.
    pub const DISABLED: IpcConfig = IpcConfig {
        interfaces: &[],
        backend: IpcBackend::Copy,
        copy_threshold: 0,
        discovery: Discovery::StringName,
        services: &[],
        clients: &[],
        fault_policy: FaultPolicy::DEFAULT,
        authentication: Authentication::None,
    };

    /// True if any interface is offered.
    pub const fn enabled(&self) -> bool {
        !self.interfaces.is_empty()
    }

    /// True if `interface` is offered.
    pub const fn offers(&self, interface: IpcInterface) -> bool {
        let mut i = 0;
        while i < self.interfaces.len() {
            if self.interfaces[i] as u8 == interface as u8 {
                return true;
            }
            i += 1;
        }
        false
    }

    /// The service called `name`.
    pub const fn service(&self, name: &str) -> Option<&ServiceConfig> {
        let mut i = 0;
        while i < self.services.len() {
            if text::str_eq(self.services[i].name, name) {
                return Some(&self.services[i]);
            }
            i += 1;
        }
        None
    }

    /// The client entry of the app called `app`.
    pub const fn client(&self, app: &str) -> Option<&ClientConfig> {
        let mut i = 0;
        while i < self.clients.len() {
            if text::str_eq(self.clients[i].app, app) {
                return Some(&self.clients[i]);
            }
            i += 1;
        }
        None
    }

    /// True if `app` may connect to the service called `service`.
    pub const fn may_connect(&self, app: &str, service: &str) -> bool {
        match self.service(service) {
            Some(s) => s.allowed_clients.allows(app),
            None => false,
        }
    }

    /// How a message of `len` bytes is transferred under this back-end.
    pub const fn transfer_for(&self, len: u32) -> TransferMethod {
        match self.backend {
            IpcBackend::Copy => TransferMethod::Copy,
            IpcBackend::Shared => TransferMethod::Share,
            IpcBackend::Auto if len <= self.copy_threshold => TransferMethod::Copy,
            IpcBackend::Auto => TransferMethod::Share,
        }
    }

    /// Largest `max_message_size` over all services (0 without services).
    pub const fn max_message_size(&self) -> u32 {
        let mut max = 0;
        let mut i = 0;
        while i < self.services.len() {
            if self.services[i].max_message_size > max {
                max = self.services[i].max_message_size;
            }
            i += 1;
        }
        max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ECHO: ServiceConfig = ServiceConfig {
        name: "echo",
        server: "echo_server",
        interface: IpcInterface::Rpc,
        allowed_clients: AppSelection::Only(&["client_a"]),
        buffers_per_connection: 2,
        max_message_size: 512,
        max_clients: 4,
        authenticate: false,
    };

    const LOG: ServiceConfig = ServiceConfig {
        name: "log",
        server: "logger",
        interface: IpcInterface::MessagePassing,
        allowed_clients: AppSelection::All,
        buffers_per_connection: 1,
        max_message_size: 64,
        max_clients: 8,
        authenticate: true,
    };

    static IPC: IpcConfig = IpcConfig {
        interfaces: &[IpcInterface::MessagePassing, IpcInterface::Rpc],
        backend: IpcBackend::Auto,
        copy_threshold: 256,
        discovery: Discovery::StringName,
        services: &[ECHO, LOG],
        clients: &[ClientConfig {
            app: "client_a",
            services: &["echo", "log"],
            reliable: true,
        }],
        fault_policy: FaultPolicy::DEFAULT,
        authentication: Authentication::PackageName,
    };

    #[test]
    fn finds_services_and_clients() {
        assert_eq!(IPC.service("log"), Some(&LOG));
        assert_eq!(IPC.service("nope"), None);
        assert!(IPC.client("client_a").unwrap().reliable);
        assert!(IPC.client("client_b").is_none());
    }

    #[test]
    fn offers_only_listed_interfaces() {
        assert!(IPC.enabled());
        assert!(IPC.offers(IpcInterface::Rpc));
        assert!(!IPC.offers(IpcInterface::SharedMemory));
        assert!(!IpcConfig::DISABLED.enabled());
        assert!(!IpcConfig::DISABLED.offers(IpcInterface::MessagePassing));
    }

    #[test]
    fn connection_follows_allowed_clients() {
        assert!(IPC.may_connect("client_a", "echo"));
        assert!(!IPC.may_connect("client_b", "echo"));
        assert!(IPC.may_connect("client_b", "log"));
        assert!(!IPC.may_connect("client_a", "missing"));
    }

    #[test]
    fn auto_backend_copies_small_messages() {
        assert_eq!(IPC.transfer_for(256), TransferMethod::Copy);
        assert_eq!(IPC.transfer_for(257), TransferMethod::Share);
        let copy = IpcConfig {
            backend: IpcBackend::Copy,
            ..IPC
        };
        assert_eq!(copy.transfer_for(4096), TransferMethod::Copy);
        let shared = IpcConfig {
            backend: IpcBackend::Shared,
            ..IPC
        };
        assert_eq!(shared.transfer_for(1), TransferMethod::Share);
    }

    #[test]
    fn max_message_size_is_the_largest_service_limit() {
        const MAX: u32 = IPC.max_message_size();
        assert_eq!(MAX, 512);
        assert_eq!(IpcConfig::DISABLED.max_message_size(), 0);
    }

    #[test]
    fn lookups_work_in_const_context() {
        const FOUND: bool = IPC_CONST.service("echo").is_some();
        const IPC_CONST: IpcConfig = IpcConfig {
            services: &[ECHO],
            ..IpcConfig::DISABLED
        };
        assert!(FOUND);
    }
}
