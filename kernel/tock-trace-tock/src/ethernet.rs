//! A transparent shim between an Ethernet adapter and its client (the
//! `EthernetTap` driver, for example) that records the frames.

use core::cell::Cell;

use kernel::hil::ethernet::{EthernetAdapterDatapath, EthernetAdapterDatapathClient};
use kernel::utilities::cells::OptionalCell;
use kernel::ErrorCode;
use tock_trace_tock_core::tock_trace::Direction;
use tock_trace_tock_core::Event;

use crate::tracer::{drop_reason, TraceEvents};

/// Wraps the adapter `E` as interface `iface` of the HELLO table. Give the
/// shim to the client instead of the adapter, call [`TraceEthernet::attach`],
/// and [`TraceEthernet::set_tracer`] once the tracer exists (frames before
/// that pass through unrecorded).
pub struct TraceEthernet<'a, E: EthernetAdapterDatapath<'a>> {
    adapter: &'a E,
    iface: u8,
    tracer: OptionalCell<&'a dyn TraceEvents>,
    client: OptionalCell<&'a dyn EthernetAdapterDatapathClient>,
    receiving: Cell<bool>,
}

impl<'a, E: EthernetAdapterDatapath<'a>> TraceEthernet<'a, E> {
    /// A shim for `adapter` announced as interface `iface`.
    pub fn new(adapter: &'a E, iface: u8) -> Self {
        TraceEthernet {
            adapter,
            iface,
            tracer: OptionalCell::empty(),
            client: OptionalCell::empty(),
            receiving: Cell::new(false),
        }
    }

    /// Makes the shim the adapter's client.
    pub fn attach(&'a self) {
        self.adapter.set_client(self);
    }

    /// Starts recording into `tracer`; an interface already receiving is
    /// recorded as up now.
    pub fn set_tracer(&self, tracer: &'a dyn TraceEvents) {
        self.tracer.set(tracer);
        if self.receiving.get() {
            self.record(&Event::InterfaceUp { iface: self.iface });
        }
    }

    fn record(&self, event: &Event<'_>) {
        self.tracer.map(|tracer| tracer.record(event));
    }

    fn frame(buffer: &[u8], len: u16) -> &[u8] {
        buffer.get(..usize::from(len)).unwrap_or(buffer)
    }
}

impl<'a, E: EthernetAdapterDatapath<'a>> EthernetAdapterDatapath<'a> for TraceEthernet<'a, E> {
    fn set_client(&self, client: &'a dyn EthernetAdapterDatapathClient) {
        self.client.set(client);
    }

    fn enable_receive(&self) {
        self.adapter.enable_receive();
        self.receiving.set(true);
        self.record(&Event::InterfaceUp { iface: self.iface });
    }

    fn disable_receive(&self) {
        self.adapter.disable_receive();
        self.receiving.set(false);
        self.record(&Event::InterfaceDown { iface: self.iface });
    }

    fn transmit_frame(
        &self,
        frame_buffer: &'static mut [u8],
        len: u16,
        transmission_identifier: usize,
    ) -> Result<(), (ErrorCode, &'static mut [u8])> {
        self.record(&Event::FrameTx {
            iface: self.iface,
            frame: Self::frame(frame_buffer, len),
        });
        self.adapter
            .transmit_frame(frame_buffer, len, transmission_identifier)
            .map_err(|(error, buffer)| {
                self.record(&Event::FrameDrop {
                    iface: self.iface,
                    direction: Direction::Tx,
                    reason: drop_reason(error),
                    frame: Self::frame(buffer, len),
                });
                (error, buffer)
            })
    }
}

impl<'a, E: EthernetAdapterDatapath<'a>> EthernetAdapterDatapathClient for TraceEthernet<'a, E> {
    fn transmit_frame_done(
        &self,
        err: Result<(), ErrorCode>,
        frame_buffer: &'static mut [u8],
        len: u16,
        transmission_identifier: usize,
        timestamp: Option<u64>,
    ) {
        if let Err(error) = err {
            self.record(&Event::FrameDrop {
                iface: self.iface,
                direction: Direction::Tx,
                reason: drop_reason(error),
                frame: Self::frame(frame_buffer, len),
            });
        }
        self.client.map(move |client| {
            client.transmit_frame_done(err, frame_buffer, len, transmission_identifier, timestamp)
        });
    }

    fn received_frame(&self, frame: &[u8], timestamp: Option<u64>) {
        self.record(&Event::FrameRx {
            iface: self.iface,
            frame,
        });
        self.client
            .map(|client| client.received_frame(frame, timestamp));
    }
}
