//! A transparent shim between an 802.15.4 radio (`kernel::hil::radio`) and
//! the MAC above it (`AwakeMac` under the 802.15.4 driver 0x30001, for
//! example) that records the frames and the radio's power state.

use core::cell::Cell;

use kernel::hil::radio::{
    ConfigClient, PowerClient, RadioChannel, RadioConfig, RadioData, RxClient, TxClient,
};
use kernel::utilities::cells::OptionalCell;
use kernel::ErrorCode;
use tock_trace_tock_core::tock_trace::Direction;
use tock_trace_tock_core::{radio_frame, radio_received, Event, LinkState};

use crate::tracer::{drop_reason, TraceEvents};

/// Wraps the radio `R` as interface `iface` of the HELLO table (announce it
/// with `core_trace::ieee802154_interface`). Give the shim to the MAC
/// instead of the radio, call [`TraceRadio::attach`], and
/// [`TraceRadio::set_tracer`] once the tracer exists (frames before that
/// pass through unrecorded). Frames are recorded as the radio HIL carries
/// them: the MAC frame without PHR and FCS.
pub struct TraceRadio<'a, R: RadioConfig<'a> + RadioData<'a>> {
    radio: &'a R,
    iface: u8,
    tracer: OptionalCell<&'a dyn TraceEvents>,
    tx_client: OptionalCell<&'a dyn TxClient>,
    rx_client: OptionalCell<&'a dyn RxClient>,
    power_client: OptionalCell<&'a dyn PowerClient>,
    tx_len: Cell<usize>,
    link: Cell<LinkState>,
}

impl<'a, R: RadioConfig<'a> + RadioData<'a>> TraceRadio<'a, R> {
    /// A shim for `radio` announced as interface `iface`.
    pub fn new(radio: &'a R, iface: u8) -> Self {
        TraceRadio {
            radio,
            iface,
            tracer: OptionalCell::empty(),
            tx_client: OptionalCell::empty(),
            rx_client: OptionalCell::empty(),
            power_client: OptionalCell::empty(),
            tx_len: Cell::new(0),
            link: Cell::new(LinkState::UNKNOWN),
        }
    }

    /// Makes the shim the radio's transmit, receive and power client.
    pub fn attach(&'a self) {
        self.radio.set_transmit_client(self);
        self.radio.set_receive_client(self);
        self.radio.set_power_client(self);
    }

    /// Starts recording into `tracer`; a radio already on is recorded as up
    /// now.
    pub fn set_tracer(&self, tracer: &'a dyn TraceEvents) {
        self.tracer.set(tracer);
        self.link.set(LinkState::UNKNOWN);
        self.power_reported(self.radio.is_on());
    }

    fn record(&self, event: &Event<'_>) {
        self.tracer.map(|tracer| tracer.record(event));
    }

    fn record_tx_drop(&self, error: ErrorCode, buffer: &[u8], frame_len: usize) {
        self.record(&Event::FrameDrop {
            iface: self.iface,
            direction: Direction::Tx,
            reason: drop_reason(error),
            frame: radio_frame(buffer, frame_len),
        });
    }

    fn power_reported(&self, on: bool) {
        let mut link = self.link.get();
        let change = link.report(self.iface, on);
        self.link.set(link);
        if let Some(event) = change {
            self.record(&event);
        }
    }
}

impl<'a, R: RadioConfig<'a> + RadioData<'a>> RadioData<'a> for TraceRadio<'a, R> {
    fn set_transmit_client(&self, client: &'a dyn TxClient) {
        self.tx_client.set(client);
    }

    fn set_receive_client(&self, client: &'a dyn RxClient) {
        self.rx_client.set(client);
    }

    fn set_receive_buffer(&self, receive_buffer: &'static mut [u8]) {
        self.radio.set_receive_buffer(receive_buffer);
    }

    fn transmit(
        &self,
        buf: &'static mut [u8],
        frame_len: usize,
    ) -> Result<(), (ErrorCode, &'static mut [u8])> {
        self.record(&Event::FrameTx {
            iface: self.iface,
            frame: radio_frame(buf, frame_len),
        });
        self.tx_len.set(frame_len);
        self.radio.transmit(buf, frame_len).map_err(|(error, buf)| {
            self.record_tx_drop(error, buf, frame_len);
            (error, buf)
        })
    }
}

impl<'a, R: RadioConfig<'a> + RadioData<'a>> TxClient for TraceRadio<'a, R> {
    fn send_done(&self, buf: &'static mut [u8], acked: bool, result: Result<(), ErrorCode>) {
        if let Err(error) = result {
            self.record_tx_drop(error, buf, self.tx_len.get());
        }
        self.tx_client
            .map(move |client| client.send_done(buf, acked, result));
    }
}

impl<'a, R: RadioConfig<'a> + RadioData<'a>> RxClient for TraceRadio<'a, R> {
    fn receive(
        &self,
        buf: &'static mut [u8],
        frame_len: usize,
        lqi: u8,
        crc_valid: bool,
        result: Result<(), ErrorCode>,
    ) {
        self.record(&radio_received(self.iface, buf, frame_len, crc_valid));
        self.rx_client
            .map(move |client| client.receive(buf, frame_len, lqi, crc_valid, result));
    }
}

impl<'a, R: RadioConfig<'a> + RadioData<'a>> PowerClient for TraceRadio<'a, R> {
    fn changed(&self, on: bool) {
        self.power_reported(on);
        self.power_client.map(|client| client.changed(on));
    }
}

impl<'a, R: RadioConfig<'a> + RadioData<'a>> RadioConfig<'a> for TraceRadio<'a, R> {
    fn initialize(&self) -> Result<(), ErrorCode> {
        self.radio.initialize()
    }

    fn reset(&self) -> Result<(), ErrorCode> {
        self.radio.reset()
    }

    fn start(&self) -> Result<(), ErrorCode> {
        self.radio.start()
    }

    fn stop(&self) -> Result<(), ErrorCode> {
        self.radio.stop()
    }

    fn is_on(&self) -> bool {
        self.radio.is_on()
    }

    fn busy(&self) -> bool {
        self.radio.busy()
    }

    fn set_power_client(&self, client: &'a dyn PowerClient) {
        self.power_client.set(client);
    }

    fn config_commit(&self) {
        self.radio.config_commit();
    }

    fn set_config_client(&self, client: &'a dyn ConfigClient) {
        self.radio.set_config_client(client);
    }

    fn get_address(&self) -> u16 {
        self.radio.get_address()
    }

    fn get_address_long(&self) -> [u8; 8] {
        self.radio.get_address_long()
    }

    fn get_pan(&self) -> u16 {
        self.radio.get_pan()
    }

    fn get_tx_power(&self) -> i8 {
        self.radio.get_tx_power()
    }

    fn get_channel(&self) -> u8 {
        self.radio.get_channel()
    }

    fn set_address(&self, addr: u16) {
        self.radio.set_address(addr);
    }

    fn set_address_long(&self, addr: [u8; 8]) {
        self.radio.set_address_long(addr);
    }

    fn set_pan(&self, id: u16) {
        self.radio.set_pan(id);
    }

    fn set_tx_power(&self, power: i8) -> Result<(), ErrorCode> {
        self.radio.set_tx_power(power)
    }

    fn set_channel(&self, chan: RadioChannel) {
        self.radio.set_channel(chan);
    }
}
