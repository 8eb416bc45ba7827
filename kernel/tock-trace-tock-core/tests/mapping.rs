//! Kernel events in, decoded wire frames out: every mapping, the HELLO
//! schedule, a full buffer with its OVERFLOW, and a long random run that
//! must neither panic nor hand out a partial frame.

mod common;

use common::{decode, drain, records_of, CONFIG};
use tock_trace::{Direction, DropReason, FaultAction, FaultReason, LogLevel};
use tock_trace_tock_core::{
    decode_rv32_stored_state, CommandOutcome, Event, EventSet, FaultInfo, Peer, SyscallClass,
    SyscallSeen, TracerConfig, TracerCore, ETHERNET_TAP_DRIVER, IPC_DRIVER,
};

fn str_field(name: &str) -> Vec<u8> {
    let mut v = vec![name.len() as u8];
    v.extend_from_slice(name.as_bytes());
    v
}

fn log_body(level: u8, text: &str) -> Vec<u8> {
    let mut v = vec![level];
    v.extend_from_slice(&(text.len() as u16).to_le_bytes());
    v.extend_from_slice(text.as_bytes());
    v
}

fn started(pid: u16, restart_count: u16, name: &'static str) -> Event<'static> {
    Event::ProcessScheduled {
        pid,
        restart_count,
        name,
    }
}

/// An IPC syscall from the process at `index` whose pid is `index + 10`.
fn syscall(
    index: u16,
    name: &'static str,
    class: SyscallClass,
    number: u32,
    args: (u32, u32),
) -> Event<'static> {
    Event::Syscall(SyscallSeen {
        pid: index + 10,
        index,
        process_name: name,
        class,
        driver: IPC_DRIVER,
        number,
        arg0: args.0,
        arg1: args.1,
        peer: None,
    })
}

/// A command from the process at `index` whose pid is `index + 10`.
fn command(
    index: u16,
    driver: u32,
    command: u32,
    arg0: u32,
    outcome: CommandOutcome,
) -> Event<'static> {
    Event::Command {
        pid: index + 10,
        index,
        driver,
        command,
        arg0,
        arg1: 0,
        outcome,
        peer: None,
    }
}

/// `event` with `peer` set.
fn with_peer(mut event: Event<'static>, peer: Peer) -> Event<'static> {
    match &mut event {
        Event::Command { peer: p, .. } => *p = Some(peer),
        Event::Syscall(seen) => seen.peer = Some(peer),
        _ => {}
    }
    event
}

const SERVICE: Peer = Peer {
    index: 0,
    pid: 10,
    name: "org.tockos.rot13",
};
const CLIENT: Peer = Peer {
    index: 1,
    pid: 11,
    name: "rot13_client",
};

#[test]
fn hello_names_the_board_and_tick_rate() {
    let mut core: TracerCore<1024, 4> = TracerCore::new(CONFIG);
    core.record(&started(0, 0, "rot13_service"), 5);
    let frames = drain(&mut core);
    assert_eq!(frames[0].kind, 0x01);
    assert_eq!(frames[0].seq, 0);
    assert_eq!(frames[0].ticks, 5);
    let mut want = 1000u32.to_le_bytes().to_vec();
    want.extend_from_slice(&2048u16.to_le_bytes());
    want.extend(str_field("qemu_rv32_virt"));
    want.extend(str_field("tock master"));
    want.push(0);
    assert_eq!(frames[0].body, want);
}

#[test]
fn hello_is_repeated_once_a_second_of_ticks_passed() {
    let mut core: TracerCore<4096, 4> = TracerCore::new(CONFIG);
    let log = Event::Log {
        level: LogLevel::Info,
        text: "x",
    };
    for ticks in [0, 500, 999, 1000, 1500, 2000] {
        core.record(&log, ticks);
    }
    let kinds: Vec<u8> = drain(&mut core).iter().map(|f| f.kind).collect();
    assert_eq!(kinds, [1, 2, 2, 2, 1, 2, 2, 1, 2]);
}

#[test]
fn first_run_of_a_process_is_proc_start_with_its_name_once() {
    let frames = records_of(&[started(1, 0, "rot13_client"), started(1, 0, "rot13_client")]);
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0].kind, 0x10);
    let mut want = vec![1, 0, 0, 0];
    want.extend(str_field("rot13_client"));
    assert_eq!(frames[0].body, want);
}

#[test]
fn a_new_restart_count_is_proc_restart_then_proc_start() {
    let frames = records_of(&[started(2, 0, "crasher"), started(2, 1, "crasher")]);
    let kinds: Vec<u8> = frames.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, [0x10, 0x12, 0x10]);
    assert_eq!(frames[1].body, [2, 0, 1, 0]);
    assert_eq!(frames[2].body[..4], [2, 0, 1, 0]);
}

#[test]
fn processes_beyond_the_table_are_not_announced() {
    let mut core: TracerCore<1024, 2> = TracerCore::new(CONFIG);
    assert_eq!(core.record(&started(1, 0, "one"), 0), 1);
    assert_eq!(core.record(&started(2, 0, "two"), 0), 1);
    assert_eq!(core.record(&started(3, 0, "three"), 0), 0);
    assert_eq!(
        core.record(&started(4, 1, "two"), 0),
        2,
        "known name restarted"
    );
}

#[test]
fn fault_policy_decision_is_proc_fault_with_what_the_state_tells() {
    let frames = records_of(&[
        Event::ProcessFault {
            pid: 3,
            action: FaultAction::Restart,
            info: FaultInfo::UNKNOWN,
        },
        Event::ProcessFault {
            pid: 3,
            action: FaultAction::Stop,
            info: decode_rv32_stored_state(&rv32_state(0x8010_0040, 5, 0x10)).unwrap(),
        },
    ]);
    assert_eq!(frames[0].kind, 0x11);
    assert_eq!(frames[0].body, [3, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(
        frames[1].body,
        [3, 0, 0, 1, 0x10, 0, 0, 0, 0x40, 0, 0x10, 0x80]
    );
}

/// Tock's RV32 stored state: version 1, size, tag, pc, mcause, mtval, 31 registers.
fn rv32_state(pc: u32, mcause: u32, mtval: u32) -> Vec<u8> {
    let mut words = vec![1u32, 136, u32::from_le_bytes(*b"rv5i"), pc, mcause, mtval];
    words.extend([0u32; 31]);
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

#[test]
fn rv32_access_faults_are_mpu_violations_at_mtval() {
    for mcause in [1, 5, 7] {
        let info = decode_rv32_stored_state(&rv32_state(0x8010_0040, mcause, 0x1234)).unwrap();
        assert_eq!(
            info,
            FaultInfo {
                reason: FaultReason::MpuViolation,
                fault_addr: 0x1234,
                pc: 0x8010_0040
            }
        );
    }
}

#[test]
fn rv32_other_exceptions_keep_the_pc_and_drop_mtval() {
    let illegal = decode_rv32_stored_state(&rv32_state(0x8010_0044, 2, 0xdead)).unwrap();
    assert_eq!(
        illegal,
        FaultInfo {
            reason: FaultReason::Other,
            fault_addr: 0,
            pc: 0x8010_0044
        }
    );
    let misaligned = decode_rv32_stored_state(&rv32_state(0x8010_0048, 6, 0x8021_0001)).unwrap();
    assert_eq!(misaligned.fault_addr, 0x8021_0001);
    assert_eq!(misaligned.reason, FaultReason::Other);
}

#[test]
fn other_architectures_and_short_states_are_not_decoded() {
    let mut cortex_m = rv32_state(0, 5, 0);
    cortex_m[8..12].copy_from_slice(b"ctxm");
    assert_eq!(decode_rv32_stored_state(&cortex_m), None);
    assert_eq!(decode_rv32_stored_state(&rv32_state(0, 5, 0)[..20]), None);
    assert_eq!(decode_rv32_stored_state(&[]), None);
    let mut version2 = rv32_state(0, 5, 0);
    version2[0] = 2;
    assert_eq!(decode_rv32_stored_state(&version2), None);
}

#[test]
fn ipc_subscribe_at_own_index_registers_the_service_by_package_name() {
    let frames = records_of(&[
        syscall(0, "org.tockos.rot13", SyscallClass::Subscribe, 0, (0, 0)),
        syscall(1, "rot13_client", SyscallClass::Subscribe, 0, (0, 0)),
    ]);
    assert_eq!(frames.len(), 1, "a client callback is no registration");
    assert_eq!(frames[0].kind, 0x20);
    let mut want = vec![10, 0, 0, 0];
    want.extend(str_field("org.tockos.rot13"));
    assert_eq!(frames[0].body, want);
}

#[test]
fn ipc_read_write_allow_is_a_shared_memory_grant_to_that_process() {
    let shared = syscall(
        1,
        "rot13_client",
        SyscallClass::ReadWriteAllow,
        0,
        (0x8020_0400, 64),
    );
    let frames = records_of(&[
        with_peer(shared, SERVICE),
        syscall(1, "rot13_client", SyscallClass::ReadWriteAllow, 0, (0, 0)),
        syscall(
            1,
            "rot13_client",
            SyscallClass::ReadOnlyAllow,
            0,
            (0x8020_0500, 16),
        ),
    ]);
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0].kind, 0x28);
    let mut want = vec![11, 0, 10, 0];
    want.extend_from_slice(&0x8020_0400u32.to_le_bytes());
    want.extend_from_slice(&64u32.to_le_bytes());
    want.push(3);
    assert_eq!(frames[0].body, want);
}

#[test]
fn ipc_discover_names_the_service_found_by_its_process() {
    let found = command(1, IPC_DRIVER, 1, 0, CommandOutcome::SuccessU32(0));
    let frames = records_of(&[
        with_peer(found, SERVICE),
        command(1, IPC_DRIVER, 1, 0, CommandOutcome::Failure(11)),
    ]);
    assert_eq!(frames[0].kind, 0x21);
    let mut want = vec![11, 0, 0, 0, 0];
    want.extend(str_field("org.tockos.rot13"));
    assert_eq!(frames[0].body, want);
    assert_eq!(frames[1].body, [11, 0, 0xFF, 0xFF, 1, 0]);
}

#[test]
fn ipc_notify_is_a_send_over_shared_memory_numbered_in_order() {
    let to_service = command(1, IPC_DRIVER, 2, 0, CommandOutcome::Success);
    let to_client = command(0, IPC_DRIVER, 3, 1, CommandOutcome::Success);
    let frames = records_of(&[with_peer(to_service, SERVICE), with_peer(to_client, CLIENT)]);
    let service = [11, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    let client = [10, 0, 11, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1];
    assert_eq!(
        (frames[0].kind, frames[0].body.as_slice()),
        (0x24, &service[..])
    );
    assert_eq!(
        (frames[1].kind, frames[1].body.as_slice()),
        (0x24, &client[..])
    );
}

#[test]
fn failed_ipc_notify_is_a_warning_log() {
    let frames = records_of(&[command(1, IPC_DRIVER, 2, 3, CommandOutcome::Failure(3))]);
    assert_eq!(frames[0].kind, 0x02);
    assert_eq!(
        frames[0].body,
        log_body(1, "pid 11 ipc notify 2 to process 3 failed: error 3")
    );
}

#[test]
fn network_driver_command_is_a_debug_log_with_its_result() {
    let frames = records_of(&[
        command(
            2,
            ETHERNET_TAP_DRIVER,
            1,
            0x10,
            CommandOutcome::SuccessU32(5),
        ),
        command(2, ETHERNET_TAP_DRIVER, 4, 0, CommandOutcome::Failure(2)),
        command(2, 0x1, 1, 0, CommandOutcome::Success),
    ]);
    assert_eq!(frames.len(), 2, "the console driver is not traced");
    assert_eq!(
        frames[0].body,
        log_body(3, "pid 12 eth_tap command 1(0x10, 0x0) -> ok 5")
    );
    assert_eq!(
        frames[1].body,
        log_body(1, "pid 12 eth_tap command 4(0x0, 0x0) -> error 2")
    );
}

#[test]
fn network_driver_allow_and_subscribe_are_debug_logs() {
    let mut allow = syscall(
        2,
        "tap_app",
        SyscallClass::ReadOnlyAllow,
        1,
        (0x8020_0000, 60),
    );
    let mut subscribe = syscall(2, "tap_app", SyscallClass::Subscribe, 0, (0, 0));
    for event in [&mut allow, &mut subscribe] {
        if let Event::Syscall(seen) = event {
            seen.driver = ETHERNET_TAP_DRIVER;
        }
    }
    let frames = records_of(&[allow, subscribe]);
    assert_eq!(
        frames[0].body,
        log_body(3, "pid 12 (tap_app) eth_tap allow_ro 1 len 60")
    );
    assert_eq!(
        frames[1].body,
        log_body(3, "pid 12 (tap_app) eth_tap subscribe 0")
    );
}

#[test]
fn frames_in_and_out_carry_their_bytes() {
    let frame = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0, 0x12, 0x34, 0x56, 0x08, 0x06,
    ];
    let frames = records_of(&[
        Event::InterfaceUp { iface: 0 },
        Event::FrameTx {
            iface: 0,
            frame: &frame,
        },
        Event::FrameRx {
            iface: 0,
            frame: &frame[..6],
        },
        Event::FrameDrop {
            iface: 0,
            direction: Direction::Tx,
            reason: DropReason::QueueFull,
            frame: &frame[..2],
        },
        Event::InterfaceDown { iface: 0 },
    ]);
    let kinds: Vec<u8> = frames.iter().map(|f| f.kind).collect();
    assert_eq!(kinds, [0x40, 0x42, 0x43, 0x44, 0x41]);
    let mut tx = vec![0, 0xff, 0xff, 14, 0, 0, 0];
    tx.extend_from_slice(&frame);
    assert_eq!(frames[1].body, tx);
    assert_eq!(frames[2].body[..7], [0, 0xff, 0xff, 6, 0, 0, 0]);
    assert_eq!(
        frames[3].body,
        [0, 1, 0xff, 0xff, 0, 2, 0, 0, 0, 0xff, 0xff]
    );
    assert_eq!(frames[4].body, [0, 0]);
}

#[test]
fn full_buffer_counts_drops_and_reports_them_in_an_overflow_record() {
    let mut core: TracerCore<256, 4> = TracerCore::new(CONFIG);
    let log = Event::Log {
        level: LogLevel::Info,
        text: "a line that takes some room in the small buffer",
    };
    let mut queued = 0;
    for _ in 0..10 {
        queued += core.record(&log, 1);
    }
    assert!(queued < 10);
    let dropped = 10 - queued as u32;
    assert_eq!(core.total_dropped(), dropped);
    let first = drain(&mut core);
    let mut kinds = vec![0x01];
    kinds.extend(std::iter::repeat_n(0x02, queued));
    kinds.push(0x03);
    let got: Vec<u8> = first.iter().map(|f| f.kind).collect();
    assert_eq!(got, kinds, "the first drop is reported as soon as it fits");
    assert_eq!(first.last().unwrap().body, [1, 0, 0, 0, 1, 0, 0, 0]);
    core.record(&log, 2);
    let next = drain(&mut core);
    assert_eq!(next[0].kind, 0x03);
    let later = dropped - 1;
    assert_eq!(
        next[0].body,
        [later.to_le_bytes(), dropped.to_le_bytes()].concat()
    );
    assert_eq!(next[1].kind, 0x02);
    assert_eq!(next[1].seq, next[0].seq + 1);
}

#[test]
fn a_frame_larger_than_the_transmit_buffer_is_dropped_not_stuck() {
    let mut core: TracerCore<1024, 4> = TracerCore::new(CONFIG);
    let big = [0x55u8; 100];
    core.record(
        &Event::FrameRx {
            iface: 0,
            frame: &big,
        },
        0,
    );
    core.record(&started(0, 0, "p"), 0);
    let mut out = [0u8; 60];
    let n = core.take_frames(&mut out, 0);
    let frames = decode(&out[..n]);
    assert_eq!(
        frames.len(),
        1,
        "the HELLO fits, the 100-byte frame does not"
    );
    assert_eq!((frames[0].kind, frames[0].seq), (0x01, 0));
    let n = core.take_frames(&mut out, 0);
    let frames = decode(&out[..n]);
    assert_eq!(
        (frames[0].kind, frames[0].seq),
        (0x10, 2),
        "seq 1 is missing: a receiver counts the gap"
    );
    assert_eq!(core.total_dropped(), 0);
}

/// A long pseudo-random run over every event kind, with drains of random
/// sizes: no panic, only whole frames out, seq rising; a missing seq is a
/// frame larger than its drain, every other loss is in OVERFLOW records.
#[test]
fn random_events_and_drains_never_panic_or_split_frames() {
    let mut core: TracerCore<512, 4> = TracerCore::new(CONFIG);
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let payload = [0u8; 1600];
    let mut out = vec![0u8; 700];
    let mut expected_seq = 0u32;
    let mut gaps = 0u32;
    for ticks in 0..20_000u64 {
        let r = next();
        let pid = (r % 6) as u16;
        let event = match r % 9 {
            0 => started(pid, (r >> 8) as u16 % 3, "p"),
            1 => syscall(
                pid,
                "p",
                SyscallClass::Subscribe,
                (r >> 8) as u32 % 5,
                (0, 0),
            ),
            2 => syscall(
                pid,
                "p",
                SyscallClass::ReadWriteAllow,
                1,
                (r as u32, (r >> 32) as u32),
            ),
            3 => command(
                pid,
                IPC_DRIVER,
                (r >> 8) as u32 % 5,
                (r >> 16) as u32,
                CommandOutcome::SuccessU32(r as u32 % 7),
            ),
            4 => command(
                pid,
                ETHERNET_TAP_DRIVER,
                1,
                0,
                CommandOutcome::Failure(r as u32),
            ),
            5 => Event::FrameTx {
                iface: 0,
                frame: &payload[..(r >> 8) as usize % payload.len()],
            },
            6 => Event::FrameDrop {
                iface: 1,
                direction: Direction::Rx,
                reason: DropReason::TooBig,
                frame: &payload,
            },
            7 => Event::ProcessFault {
                pid,
                action: FaultAction::Stop,
                info: FaultInfo::UNKNOWN,
            },
            _ => Event::Log {
                level: LogLevel::Error,
                text: "\u{e9}\u{e9}\u{e9}",
            },
        };
        core.record(&event, ticks);
        if r % 3 == 0 {
            let room = (r >> 40) as usize % out.len();
            let n = core.take_frames(&mut out[..room], ticks);
            for frame in decode(&out[..n]) {
                assert!(frame.seq >= expected_seq);
                gaps += frame.seq - expected_seq;
                expected_seq = frame.seq + 1;
            }
        }
    }
    assert!(core.total_dropped() > 0, "the run overfilled the buffer");
    assert!(gaps > 0, "some frames were larger than their drain");
}

#[test]
fn a_zero_byte_tracer_drops_and_counts_everything() {
    let mut core: TracerCore<0, 0> = TracerCore::new(CONFIG);
    let log = Event::Log {
        level: LogLevel::Info,
        text: "x",
    };
    assert_eq!(core.record(&log, 0), 0);
    assert_eq!(core.record(&started(0, 0, "p"), 0), 0);
    assert_eq!(core.take_frames(&mut [0u8; 64], 0), 0);
    assert_eq!(
        core.total_dropped(),
        2,
        "HELLO and the log; the start has no slot"
    );
}

#[test]
fn events_outside_the_configured_set_are_not_recorded_nor_counted() {
    let config = TracerConfig {
        events: EventSet::PROCESSES.with(EventSet::NETWORK),
        ..CONFIG
    };
    let mut core: TracerCore<4096, 4> = TracerCore::new(config);
    let mut tap = syscall(2, "tap_app", SyscallClass::Subscribe, 0, (0, 0));
    if let Event::Syscall(seen) = &mut tap {
        seen.driver = ETHERNET_TAP_DRIVER;
    }
    let ipc = syscall(0, "rot13_service", SyscallClass::Subscribe, 0, (0, 0));
    assert_eq!(core.record(&tap, 1), 0);
    assert_eq!(core.record(&ipc, 2), 0);
    assert!(!core.log(LogLevel::Info, format_args!("hidden"), 3));
    assert_eq!(core.record(&started(1, 0, "rot13_client"), 4), 1);
    assert_eq!(core.record(&Event::InterfaceUp { iface: 0 }, 5), 1);
    let kinds: Vec<u8> = drain(&mut core).iter().map(|f| f.kind).collect();
    assert_eq!(kinds, [0x01, 0x10, 0x40]);
    assert_eq!(core.total_dropped(), 0);
}

#[test]
fn event_kinds_follow_the_driver_of_a_syscall() {
    let ipc = syscall(0, "svc", SyscallClass::Subscribe, 0, (0, 0));
    assert_eq!(EventSet::of(&ipc), EventSet::IPC);
    let log = Event::Log {
        level: LogLevel::Info,
        text: "x",
    };
    assert_eq!(EventSet::of(&log), EventSet::LOG);
    assert!(EventSet::ALL.contains(EventSet::SYSCALLS.with(EventSet::LOG)));
    assert!(!EventSet::NONE.contains(EventSet::IPC));
    let listed = EventSet::union(&[EventSet::IPC, EventSet::LOG]);
    assert_eq!(listed, EventSet::IPC.with(EventSet::LOG));
    assert_eq!(EventSet::union(&[]), EventSet::NONE);
}
