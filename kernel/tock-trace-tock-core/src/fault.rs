//! What a faulted process's saved state says about the fault.

use tock_trace::FaultReason;

/// Cause, faulting address and pc of a fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FaultInfo {
    /// Cause.
    pub reason: FaultReason,
    /// Faulting data or instruction address, 0 if none.
    pub fault_addr: u32,
    /// Program counter at the fault.
    pub pc: u32,
}

impl FaultInfo {
    /// Nothing known: reason `other`, address and pc 0.
    pub const UNKNOWN: FaultInfo = FaultInfo {
        reason: FaultReason::Other,
        fault_addr: 0,
        pc: 0,
    };
}

/// Words of Tock's RV32 stored state (`Process::get_stored_state`, version
/// 1): version, size, tag `rv5i`, pc, mcause, mtval, then the registers.
const RV32_VERSION: u32 = 1;
const RV32_TAG: [u8; 4] = *b"rv5i";

/// Decodes the stored state Tock's RISC-V architecture crate writes for a
/// 32-bit process; `None` for any other architecture (Cortex-M's stored
/// state has no fault cause or address) or a layout this does not know.
pub fn decode_rv32_stored_state(state: &[u8]) -> Option<FaultInfo> {
    let word = |i: usize| -> Option<u32> {
        let bytes: [u8; 4] = state.get(i * 4..i * 4 + 4)?.try_into().ok()?;
        Some(u32::from_le_bytes(bytes))
    };
    if word(0)? != RV32_VERSION || word(2)? != u32::from_le_bytes(RV32_TAG) {
        return None;
    }
    let (pc, mcause, mtval) = (word(3)?, word(4)?, word(5)?);
    if mcause & 0x8000_0000 != 0 {
        return Some(FaultInfo {
            pc,
            ..FaultInfo::UNKNOWN
        });
    }
    // Exception codes of the RISC-V privileged spec: 0/4/6 misaligned
    // fetch/load/store, 1/5/7 access fault (PMP), 12/13/15 page fault.
    let (reason, has_addr) = match mcause {
        1 | 5 | 7 | 12 | 13 | 15 => (FaultReason::MpuViolation, true),
        0 | 4 | 6 => (FaultReason::Other, true),
        _ => (FaultReason::Other, false),
    };
    Some(FaultInfo {
        reason,
        fault_addr: if has_addr { mtval } else { 0 },
        pc,
    })
}
