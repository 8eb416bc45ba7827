//! The Tock-free half of the 802.15.4 radio shim: frames cut out of the
//! radio HIL's buffers, receive drops, drop reasons from Tock error codes,
//! power reports, and the HELLO entry that makes tockctl write the frames
//! as IEEE 802.15.4 without FCS.

mod common;

use common::{drain, records_of};
use tock_trace::{Direction, DropReason};
use tock_trace_tock_core::{
    drop_reason, ieee802154_interface, radio_frame, radio_received, Event, EventSet, LinkState,
    TracerConfig, TracerCore,
};

/// A data frame as 802.15.4 sends it: frame control 0x8841 (data, PAN ID
/// compression, short addresses), seq 7, PAN 0xabcd, to 0xffff from 0x0001,
/// two payload bytes.
const MAC_FRAME: [u8; 11] = [
    0x41, 0x88, 0x07, 0xcd, 0xab, 0xff, 0xff, 0x01, 0x00, 0x68, 0x69,
];

/// A radio HIL buffer holding `MAC_FRAME`: reserved byte, PHR (frame plus
/// 2-byte FCS), the frame, its FCS, the LQI, then unused bytes.
fn hil_buffer() -> Vec<u8> {
    let mut buffer = vec![0xee, MAC_FRAME.len() as u8 + 2];
    buffer.extend_from_slice(&MAC_FRAME);
    buffer.extend_from_slice(&[0xf1, 0xf2, 0x9c]);
    buffer.resize(129, 0xdd);
    buffer
}

/// A NET_TX / NET_RX body: iface, pid 0xFFFF, orig_len, frame.
fn packet_body(iface: u8, frame: &[u8]) -> Vec<u8> {
    let mut body = vec![iface, 0xff, 0xff];
    body.extend_from_slice(&(frame.len() as u32).to_le_bytes());
    body.extend_from_slice(frame);
    body
}

#[test]
fn the_frame_is_the_psdu_without_reserved_byte_phr_fcs_and_lqi() {
    let buffer = hil_buffer();
    assert_eq!(radio_frame(&buffer, MAC_FRAME.len()), MAC_FRAME);
    let frames = records_of(&[Event::FrameTx {
        iface: 1,
        frame: radio_frame(&buffer, MAC_FRAME.len()),
    }]);
    assert_eq!(frames[0].kind, 0x42);
    assert_eq!(frames[0].body, packet_body(1, &MAC_FRAME));
}

#[test]
fn a_frame_length_beyond_the_buffer_is_cut_to_the_buffer() {
    let buffer = hil_buffer();
    assert_eq!(radio_frame(&buffer[..6], MAC_FRAME.len()), &MAC_FRAME[..4]);
    assert_eq!(radio_frame(&buffer, usize::MAX), &buffer[2..]);
    assert_eq!(radio_frame(&buffer[..2], 5), [0u8; 0]);
    assert_eq!(radio_frame(&buffer[..1], 5), [0u8; 0]);
    assert_eq!(radio_frame(&[], 5), [0u8; 0]);
}

#[test]
fn a_received_frame_with_a_good_crc_is_net_rx() {
    let buffer = hil_buffer();
    let event = radio_received(1, &buffer, MAC_FRAME.len(), true);
    assert_eq!(
        event,
        Event::FrameRx {
            iface: 1,
            frame: &MAC_FRAME
        }
    );
    let frames = records_of(&[event]);
    assert_eq!(frames[0].kind, 0x43);
    assert_eq!(frames[0].body, packet_body(1, &MAC_FRAME));
}

#[test]
fn a_received_frame_with_a_bad_crc_is_a_receive_drop_bad_fcs() {
    let buffer = hil_buffer();
    let frames = records_of(&[radio_received(1, &buffer, MAC_FRAME.len(), false)]);
    assert_eq!(frames[0].kind, 0x44);
    // iface, direction rx, pid 0xFFFF, reason bad_fcs, orig_len, frame
    let mut body = vec![1, 0, 0xff, 0xff, 3, 11, 0, 0, 0];
    body.extend_from_slice(&MAC_FRAME);
    assert_eq!(frames[0].body, body);
}

#[test]
fn tock_error_codes_choose_the_drop_reason() {
    let reasons: Vec<DropReason> = (0..=14).map(drop_reason).collect();
    use DropReason::*;
    assert_eq!(
        reasons,
        [
            QueueFull,     // 0 (not an error code)
            QueueFull,     // FAIL
            QueueFull,     // BUSY: channel busy after CSMA-CA, or a transmit underway
            QueueFull,     // ALREADY
            InterfaceDown, // OFF
            QueueFull,     // RESERVE
            QueueFull,     // INVAL
            TooBig,        // SIZE
            QueueFull,     // CANCEL
            QueueFull,     // NOMEM
            QueueFull,     // NOSUPPORT
            InterfaceDown, // NODEVICE
            QueueFull,     // UNINSTALLED
            NoReceiver,    // NOACK
            QueueFull,     // 14 (not an error code)
        ]
    );
}

#[test]
fn a_transmit_drop_carries_its_direction_and_frame() {
    let frames = records_of(&[Event::FrameDrop {
        iface: 1,
        direction: Direction::Tx,
        reason: drop_reason(4),
        frame: &MAC_FRAME[..2],
    }]);
    assert_eq!(
        frames[0].body,
        [1, 1, 0xff, 0xff, 6, 2, 0, 0, 0, 0x41, 0x88]
    );
}

#[test]
fn power_reports_are_one_up_or_down_per_change() {
    let mut link = LinkState::UNKNOWN;
    let reports = [false, true, true, false, false, true];
    let events: Vec<Option<Event<'static>>> =
        reports.iter().map(|&on| link.report(1, on)).collect();
    assert_eq!(
        events,
        [
            None,
            Some(Event::InterfaceUp { iface: 1 }),
            None,
            Some(Event::InterfaceDown { iface: 1 }),
            None,
            Some(Event::InterfaceUp { iface: 1 }),
        ]
    );
    let mut fresh = LinkState::UNKNOWN;
    assert_eq!(fresh.report(2, true), Some(Event::InterfaceUp { iface: 2 }));
}

const WPAN: [tock_trace::Interface<'static>; 1] = [ieee802154_interface(
    1,
    "wpan0",
    [0x02, 0, 0, 0, 0, 0, 0, 0x01],
)];

#[test]
fn hello_announces_the_radio_as_802154_without_fcs() {
    let mut core: TracerCore<1024, 2> = TracerCore::new(TracerConfig {
        board: "nrf52840dk",
        kernel_version: "tock master",
        tick_hz: 32768,
        interfaces: &WPAN,
        events: EventSet::ALL,
    });
    core.record(&Event::InterfaceUp { iface: 1 }, 0);
    let frames = drain(&mut core);
    assert_eq!(frames[0].kind, 0x01);
    // iface 1, kind 2 ieee802154, linktype 230, mtu 127, addr_len 8, addr, name
    let mut entry = vec![1, 2, 230, 0, 127, 0, 8, 0x02, 0, 0, 0, 0, 0, 0, 0x01, 5];
    entry.extend_from_slice(b"wpan0");
    assert!(
        frames[0].body.ends_with(&entry),
        "HELLO body {:02x?}",
        frames[0].body
    );
    assert_eq!(frames[1].kind, 0x40);
}
