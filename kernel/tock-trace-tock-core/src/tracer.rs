//! The tracer state a board owns: buffer, process table, HELLO schedule.

use core::fmt;

use tock_trace::{Hello, Interface, Log, LogLevel, PushError, Record, TraceBuffer};

use crate::event::Event;
use crate::events::EventSet;
use crate::map::map_event;
use crate::procs::ProcTable;
use crate::text::TextBuf;

/// What the HELLO record announces.
#[derive(Clone, Copy, Debug)]
pub struct TracerConfig {
    /// Board name, e.g. `qemu_rv32_virt`.
    pub board: &'static str,
    /// Kernel version text, e.g. `tock master`.
    pub kernel_version: &'static str,
    /// Rate of the ticks the adapter passes in, Hz (0 = unknown).
    pub tick_hz: u32,
    /// Network interfaces whose frames are traced, by `iface_id`.
    pub interfaces: &'static [Interface<'static>],
    /// Which kinds of records to write (`EventSet::ALL`: everything).
    pub events: EventSet,
}

/// Records between HELLOs when the tick rate is unknown.
const HELLO_EVERY_RECORDS: u32 = 64;

/// Kernel events in, whole wire frames out, `N` bytes of buffer, `P`
/// process slots. Every method is infallible and bounded.
pub struct TracerCore<const N: usize, const P: usize> {
    buffer: TraceBuffer<N>,
    procs: ProcTable<P>,
    config: TracerConfig,
    msg_id: u32,
    last_hello: Option<u64>,
    since_hello: u32,
}

impl<const N: usize, const P: usize> TracerCore<N, P> {
    /// A tracer that has queued nothing; the first record brings a HELLO.
    pub const fn new(config: TracerConfig) -> Self {
        TracerCore {
            buffer: TraceBuffer::new(),
            procs: ProcTable::new(),
            config,
            msg_id: 0,
            last_hello: None,
            since_hello: 0,
        }
    }

    /// Queues the records of `event` at `ticks` (a HELLO first when one is
    /// due) and returns how many were queued; the rest are counted as
    /// dropped.
    pub fn record(&mut self, event: &Event<'_>, ticks: u64) -> usize {
        if !self.config.events.contains(EventSet::of(event)) {
            return 0;
        }
        if let Event::ProcessScheduled {
            pid,
            restart_count,
            name,
        } = *event
        {
            if !self.procs.note(name, pid, restart_count) {
                return 0;
            }
        }
        let mut text = TextBuf::new();
        let mapped = map_event(event, &mut self.msg_id, &mut text);
        let mut queued = 0;
        for record in mapped.iter().flatten() {
            if self.push(record, ticks).is_ok() {
                queued += 1;
            }
        }
        queued
    }

    /// Queues a LOG record with formatted text (cut at 96 bytes); false when
    /// it was dropped or `EventSet::LOG` is not among the config's events.
    pub fn log(&mut self, level: LogLevel, args: fmt::Arguments<'_>, ticks: u64) -> bool {
        if !self.config.events.contains(EventSet::LOG) {
            return false;
        }
        let mut text = TextBuf::new();
        let _ = fmt::write(&mut text, args);
        let log = Record::Log(Log {
            level,
            text: text.as_str(),
        });
        self.push(&log, ticks).is_ok()
    }

    /// Queues `record` (a HELLO first when one is due); returns its seq.
    pub fn push(&mut self, record: &Record<'_>, ticks: u64) -> Result<u32, PushError> {
        self.hello_if_due(ticks);
        self.since_hello = self.since_hello.saturating_add(1);
        self.buffer.push(record, ticks)
    }

    /// Moves whole frames into `out` for one UART transmit and returns the
    /// byte count (0: nothing to send). Queues a pending OVERFLOW first. A
    /// frame larger than `out` is discarded (a receiver sees its seq
    /// missing), so it never blocks the frames behind it.
    pub fn take_frames(&mut self, out: &mut [u8], ticks: u64) -> usize {
        loop {
            self.buffer.flush_overflow(ticks);
            let n = self.buffer.read_frames_into(out);
            if n > 0 || !self.buffer.discard_frame() {
                return n;
            }
        }
    }

    /// Counts `records` lost before they reached the buffer (an event that
    /// arrived while the tracer was busy with another).
    pub fn count_dropped(&mut self, records: u32) {
        self.buffer.count_dropped(records);
    }

    /// Bytes queued and not yet taken.
    pub fn queued(&self) -> usize {
        self.buffer.len()
    }

    /// Records dropped since boot.
    pub fn total_dropped(&self) -> u32 {
        self.buffer.total_dropped()
    }

    /// Seq of the next record.
    pub fn next_seq(&self) -> u32 {
        self.buffer.next_seq()
    }

    fn hello_if_due(&mut self, ticks: u64) {
        let due = match (self.last_hello, self.config.tick_hz) {
            (None, _) => true,
            (Some(_), 0) => self.since_hello >= HELLO_EVERY_RECORDS,
            (Some(last), hz) => ticks.wrapping_sub(last) >= u64::from(hz),
        };
        if !due {
            return;
        }
        self.last_hello = Some(ticks);
        self.since_hello = 0;
        let max_payload = u16::try_from(self.buffer.max_payload()).unwrap_or(u16::MAX);
        let hello = Record::Hello(Hello {
            tick_hz: self.config.tick_hz,
            max_payload,
            board: self.config.board,
            kernel_version: self.config.kernel_version,
            interfaces: self.config.interfaces,
        });
        let _ = self.buffer.push(&hello, ticks);
    }
}
