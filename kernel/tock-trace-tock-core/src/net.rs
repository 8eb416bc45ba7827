//! What the frame shims share: the NET_DROP reason for a Tock `ErrorCode`,
//! the buffer layout of Tock's 802.15.4 radio HIL, and an interface's
//! up/down state.

use tock_trace::{Direction, DropReason, IfaceKind, Interface, LinkAddr};

use crate::event::Event;

/// Tock `ErrorCode` numbers (`usize::from(ErrorCode)`) that choose a drop
/// reason; every other code is `queue_full`.
pub mod error_code {
    /// `ErrorCode::BUSY`: the device (or, on a radio, the channel) is busy.
    pub const BUSY: u32 = 2;
    /// `ErrorCode::OFF`: the device is powered down.
    pub const OFF: u32 = 4;
    /// `ErrorCode::SIZE`: the frame does not fit.
    pub const SIZE: u32 = 7;
    /// `ErrorCode::NODEVICE`: no device.
    pub const NODEVICE: u32 = 11;
    /// `ErrorCode::NOACK`: the frame was sent and not acknowledged.
    pub const NOACK: u32 = 13;
}

/// The NET_DROP reason for a frame a device refused or failed to send with
/// the Tock `ErrorCode` numbered `code`.
pub const fn drop_reason(code: u32) -> DropReason {
    match code {
        error_code::OFF | error_code::NODEVICE => DropReason::InterfaceDown,
        error_code::SIZE => DropReason::TooBig,
        error_code::NOACK => DropReason::NoReceiver,
        _ => DropReason::QueueFull,
    }
}

/// Buffer layout of Tock's 802.15.4 radio HIL (`kernel::hil::radio`): byte
/// 0 is reserved for the driver (a SPI command), byte 1 is the PHR (frame
/// length), the MAC frame starts at byte 2; the `frame_len` a radio is
/// given or reports counts the MAC frame without its 2-byte FCS (MFR).
pub mod radio_hil {
    /// Offset of the MAC frame (PSDU) in a radio buffer.
    pub const PSDU_OFFSET: usize = 2;
    /// Length of the FCS (MAC footer) the radio adds and checks.
    pub const MFR_SIZE: usize = 2;
    /// Largest PSDU (aMaxPhyPacketSize), FCS included: the interface MTU.
    pub const MAX_FRAME_SIZE: usize = 127;
    /// pcap LINKTYPE_IEEE802_15_4_NOFCS: the frames the shim records carry
    /// no FCS.
    pub const LINKTYPE: u16 = 230;
}

/// The HELLO entry for an 802.15.4 radio whose frames a radio shim records
/// as interface `iface_id`: kind `ieee802154`, [`radio_hil::LINKTYPE`], MTU
/// 127, `eui64` its long address.
pub const fn ieee802154_interface(iface_id: u8, name: &str, eui64: [u8; 8]) -> Interface<'_> {
    Interface {
        iface_id,
        kind: IfaceKind::Ieee802154,
        linktype: radio_hil::LINKTYPE,
        mtu: radio_hil::MAX_FRAME_SIZE as u16,
        addr: LinkAddr::eui64(eui64),
        name,
    }
}

/// The MAC frame in a radio HIL buffer: the `frame_len` bytes from
/// [`radio_hil::PSDU_OFFSET`], without the reserved byte, PHR, FCS and LQI;
/// cut to what the buffer holds.
pub fn radio_frame(buffer: &[u8], frame_len: usize) -> &[u8] {
    let frame = buffer.get(radio_hil::PSDU_OFFSET..).unwrap_or(&[]);
    frame.get(..frame_len).unwrap_or(frame)
}

/// A frame the radio received into `buffer`: NET_RX, or, when the radio's
/// CRC check failed (`crc_valid` false; Tock's MAC then discards it), a
/// receive drop with reason `bad_fcs`.
pub fn radio_received(iface: u8, buffer: &[u8], frame_len: usize, crc_valid: bool) -> Event<'_> {
    let frame = radio_frame(buffer, frame_len);
    if crc_valid {
        Event::FrameRx { iface, frame }
    } else {
        Event::FrameDrop {
            iface,
            direction: Direction::Rx,
            reason: DropReason::BadFcs,
            frame,
        }
    }
}

/// An interface's power state as last reported: turns repeated or initial
/// reports into one NET_UP / NET_DOWN per real change.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkState {
    on: Option<bool>,
}

impl LinkState {
    /// Nothing reported yet.
    pub const UNKNOWN: LinkState = LinkState { on: None };

    /// Notes that interface `iface` is now `on`; the event to record if
    /// that is a change. An interface first seen off records nothing (it
    /// was never up).
    pub fn report(&mut self, iface: u8, on: bool) -> Option<Event<'static>> {
        let before = self.on.replace(on);
        match (before, on) {
            (Some(true), true) | (Some(false) | None, false) => None,
            (_, true) => Some(Event::InterfaceUp { iface }),
            (Some(true), false) => Some(Event::InterfaceDown { iface }),
        }
    }
}
