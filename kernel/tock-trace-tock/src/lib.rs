//! The tockctl tracer for a Tock board, built only from the hooks a board
//! already owns (`kernel::platform::KernelResources` and the HILs):
//!
//! * [`TockTracer`]: the bounded trace buffer, writing whole frames to any
//!   `hil::uart::Transmit` (usually a `MuxUart` device shared with the
//!   console); never blocks, counts what it drops (OVERFLOW records).
//! * [`TraceFilter`]: wraps the board's `SyscallFilter`; sees IPC and
//!   network-driver subscribes and allows with their process.
//! * [`TraceDrivers`]: wraps the board's `SyscallDriverLookup`; its driver
//!   proxies see each IPC and network-driver command with its result.
//! * [`TraceSwitch`]: wraps the `ContextSwitchCallback`; a process's first
//!   run (per restart) is PROC_START with its TBF package name.
//! * [`TraceFaultPolicy`]: wraps the `ProcessFaultPolicy` handed to
//!   `load_processes`; its decision is PROC_FAULT.
//! * [`TracedResources`]: the board's `KernelResources` with the three
//!   wrappers above in place; hand it to `kernel_loop`.
//! * [`TraceEthernet`]: sits between an `EthernetAdapterDatapath` and its
//!   client; frames out and in are NET_TX / NET_RX / NET_DROP.
//! * [`TraceRadio`]: sits between an 802.15.4 radio (`hil::radio`) and its
//!   MAC; frames out and in are NET_TX / NET_RX / NET_DROP, its power state
//!   NET_UP / NET_DOWN.
//!
//! docs/tracing-real-tock.md in tockctl shows the lines a board adds.

#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod drivers;
mod ethernet;
mod hooks;
mod radio;
mod resources;
mod tracer;

pub use drivers::{DriverProxy, TraceDrivers};
pub use ethernet::TraceEthernet;
pub use hooks::{TraceFaultPolicy, TraceFilter, TraceSwitch};
pub use radio::TraceRadio;
pub use resources::TracedResources;
pub use tock_trace_tock_core as core_trace;
pub use tock_trace_tock_core::tock_trace;
pub use tracer::{TockTracer, TraceEvents};
