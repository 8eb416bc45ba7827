//! The tracer a board instantiates once.

use core::cell::Cell;
use core::fmt;

use kernel::capabilities::ProcessManagementCapability;
use kernel::hil::time::{Frequency, Ticks, Time};
use kernel::hil::uart::{Transmit, TransmitClient};
use kernel::process::Process;
use kernel::utilities::cells::{MapCell, TakeCell};
use kernel::{ErrorCode, Kernel, ProcessId};
use tock_trace_tock_core::tock_trace::{DropReason, LogLevel};
use tock_trace_tock_core::{Event, Peer, TracerConfig, TracerCore};

/// What the hook wrappers need from the tracer.
pub trait TraceEvents {
    /// Records `event` (never blocks; counted as dropped if it cannot).
    fn record(&self, event: &Event<'_>);
    /// The process at IPC index `index` (the number Tock's IPC driver uses
    /// for a service): its index among the kernel's processes.
    fn process_at(&self, index: usize) -> Option<Peer>;
    /// The IPC index of `process`, 0xFFFF if not found.
    fn index_of(&self, process: ProcessId) -> u16;
}

/// A process id as a wire pid.
pub(crate) fn pid16(process: ProcessId) -> u16 {
    u16::try_from(process.id()).unwrap_or(u16::MAX)
}

/// The NET_DROP reason for a frame a device refused or failed to send.
pub(crate) fn drop_reason(error: ErrorCode) -> DropReason {
    tock_trace_tock_core::drop_reason(u32::try_from(usize::from(error)).unwrap_or(0))
}

/// Tracer with an `N`-byte buffer and `P` process slots, sending through
/// `U` and stamping with `T`'s ticks.
pub struct TockTracer<'a, U: Transmit<'a>, T: Time, const N: usize, const P: usize> {
    core: MapCell<TracerCore<N, P>>,
    uart: &'a U,
    clock: &'a T,
    kernel: &'static Kernel,
    processes: &'a dyn ProcessManagementCapability,
    tx: TakeCell<'static, [u8]>,
    ticks_low: Cell<u32>,
    ticks_high: Cell<u32>,
    lost_while_busy: Cell<u32>,
    busy: Cell<bool>,
}

impl<'a, U: Transmit<'a>, T: Time, const N: usize, const P: usize> TockTracer<'a, U, T, N, P> {
    /// A tracer announcing `board` and `kernel_version` (and `interfaces`)
    /// in HELLO. `tx_buffer` is what one UART transmit carries; make it at
    /// least as large as the largest frame you expect (e.g. 1536 with
    /// Ethernet, 256 without). The board sets this tracer as `uart`'s
    /// transmit client.
    pub fn new(
        uart: &'a U,
        clock: &'a T,
        kernel: &'static Kernel,
        processes: &'a dyn ProcessManagementCapability,
        tx_buffer: &'static mut [u8],
        config: TracerConfig,
    ) -> Self {
        let config = TracerConfig {
            tick_hz: <T::Frequency as Frequency>::frequency(),
            ..config
        };
        TockTracer {
            core: MapCell::new(TracerCore::new(config)),
            uart,
            clock,
            kernel,
            processes,
            tx: TakeCell::new(tx_buffer),
            ticks_low: Cell::new(0),
            ticks_high: Cell::new(0),
            lost_while_busy: Cell::new(0),
            busy: Cell::new(false),
        }
    }

    /// Queues a LOG record (text cut at 96 bytes).
    pub fn log(&self, level: LogLevel, args: fmt::Arguments<'_>) {
        let ticks = self.ticks();
        if self
            .with_core(|core| core.log(level, args, ticks))
            .is_none()
        {
            self.lost_while_busy
                .set(self.lost_while_busy.get().saturating_add(1));
        }
        self.send();
    }

    /// Records dropped since boot.
    pub fn total_dropped(&self) -> u32 {
        self.with_core(|core| core.total_dropped()).unwrap_or(0)
    }

    /// Runs `f` on the core unless a call is already inside it (then
    /// `None`), so a re-entrant event is counted, never a panic.
    fn with_core<R>(&self, f: impl FnOnce(&mut TracerCore<N, P>) -> R) -> Option<R> {
        if self.busy.replace(true) {
            return None;
        }
        let result = self.core.map(f);
        self.busy.set(false);
        result
    }

    /// `T`'s ticks widened to 64 bits by counting wraps (of `Ticks::width()`
    /// bits: 32 on most timers, 24 on the nRF52 RTC); a wrap is seen only if
    /// the clock is read at least once per wrap period, which every traced
    /// event and transmit does.
    fn ticks(&self) -> u64 {
        let now = self.clock.now().into_u32();
        if now < self.ticks_low.get() {
            self.ticks_high.set(self.ticks_high.get().wrapping_add(1));
        }
        self.ticks_low.set(now);
        let width = <T::Ticks as Ticks>::width().min(32);
        (u64::from(self.ticks_high.get()) << width) | u64::from(now)
    }

    /// Starts a transmit of whole queued frames if the UART is idle.
    fn send(&self) {
        let Some(buffer) = self.tx.take() else {
            return;
        };
        let ticks = self.ticks();
        let lost = self.lost_while_busy.replace(0);
        let n = self
            .with_core(|core| {
                core.count_dropped(lost);
                core.take_frames(buffer, ticks)
            })
            .unwrap_or(0);
        if n == 0 {
            self.tx.replace(buffer);
            return;
        }
        // Frames a UART refuses have their seq: a receiver counts the gap.
        if let Err((_, buffer)) = self.uart.transmit_buffer(buffer, n) {
            self.tx.replace(buffer);
        }
    }
}

impl<'a, U: Transmit<'a>, T: Time, const N: usize, const P: usize> TraceEvents
    for TockTracer<'a, U, T, N, P>
{
    fn record(&self, event: &Event<'_>) {
        let ticks = self.ticks();
        if self.with_core(|core| core.record(event, ticks)).is_none() {
            self.lost_while_busy
                .set(self.lost_while_busy.get().saturating_add(1));
        }
        self.send();
    }

    fn process_at(&self, index: usize) -> Option<Peer> {
        let process = self
            .kernel
            .process_iter_capability(self.processes)
            .nth(index)?;
        Some(peer(process, index))
    }

    fn index_of(&self, process: ProcessId) -> u16 {
        self.kernel
            .process_iter_capability(self.processes)
            .position(|p| p.processid() == process)
            .and_then(|i| u16::try_from(i).ok())
            .unwrap_or(u16::MAX)
    }
}

fn peer(process: &dyn Process, index: usize) -> Peer {
    Peer {
        index: u16::try_from(index).unwrap_or(u16::MAX),
        pid: pid16(process.processid()),
        name: process.get_process_name(),
    }
}

impl<'a, U: Transmit<'a>, T: Time, const N: usize, const P: usize> TransmitClient
    for TockTracer<'a, U, T, N, P>
{
    fn transmitted_buffer(
        &self,
        tx_buffer: &'static mut [u8],
        _tx_len: usize,
        _rval: Result<(), ErrorCode>,
    ) {
        self.tx.replace(tx_buffer);
        self.send();
    }
}
