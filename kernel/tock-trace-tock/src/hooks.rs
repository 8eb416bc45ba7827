//! Wrappers around the board's syscall filter, context switch callback and
//! process fault policy.

use kernel::errorcode::ErrorCode;
use kernel::platform::{ContextSwitchCallback, SyscallFilter};
use kernel::process::{self, Process, ProcessFaultPolicy};
use kernel::syscall::Syscall;
use tock_trace_tock_core::tock_trace::FaultAction;
use tock_trace_tock_core::{
    decode_rv32_stored_state, is_traced_driver, Event, FaultInfo, SyscallClass, SyscallSeen,
    IPC_DRIVER,
};

use crate::tracer::{pid16, TraceEvents};

/// The board's `SyscallFilter` (often `()`), with every allowed subscribe
/// and allow of the IPC and network drivers recorded.
pub struct TraceFilter<'a, F: SyscallFilter> {
    inner: &'a F,
    tracer: &'a dyn TraceEvents,
}

impl<'a, F: SyscallFilter> TraceFilter<'a, F> {
    /// Wraps `inner`; its decisions are kept.
    pub const fn new(inner: &'a F, tracer: &'a dyn TraceEvents) -> Self {
        TraceFilter { inner, tracer }
    }
}

impl<F: SyscallFilter> SyscallFilter for TraceFilter<'_, F> {
    fn filter_syscall(&self, process: &dyn Process, syscall: &Syscall) -> Result<(), ErrorCode> {
        let verdict = self.inner.filter_syscall(process, syscall);
        if verdict.is_ok() {
            if let Some(seen) = seen(process, syscall, self.tracer) {
                self.tracer.record(&Event::Syscall(seen));
            }
        }
        verdict
    }
}

/// The filter's view of `syscall` for a traced driver, `None` otherwise.
/// Commands are left to the driver proxy, which also sees their result.
fn seen(
    process: &dyn Process,
    syscall: &Syscall,
    tracer: &dyn TraceEvents,
) -> Option<SyscallSeen<'static>> {
    let (class, driver, number, arg0, arg1) = match *syscall {
        Syscall::Subscribe {
            driver_number,
            subdriver_number,
            ..
        } => (
            SyscallClass::Subscribe,
            driver_number,
            subdriver_number,
            0,
            0,
        ),
        Syscall::ReadWriteAllow {
            driver_number,
            subdriver_number,
            allow_address,
            allow_size,
        } => (
            SyscallClass::ReadWriteAllow,
            driver_number,
            subdriver_number,
            allow_address as usize,
            allow_size,
        ),
        Syscall::UserspaceReadableAllow {
            driver_number,
            subdriver_number,
            allow_address,
            allow_size,
        } => (
            SyscallClass::UserspaceReadableAllow,
            driver_number,
            subdriver_number,
            allow_address as usize,
            allow_size,
        ),
        Syscall::ReadOnlyAllow {
            driver_number,
            subdriver_number,
            allow_address,
            allow_size,
        } => (
            SyscallClass::ReadOnlyAllow,
            driver_number,
            subdriver_number,
            allow_address as usize,
            allow_size,
        ),
        _ => return None,
    };
    let driver = u32::try_from(driver).ok()?;
    if !is_traced_driver(driver) {
        return None;
    }
    let is_ipc_share = driver == IPC_DRIVER && class == SyscallClass::ReadWriteAllow;
    let processid = process.processid();
    Some(SyscallSeen {
        pid: pid16(processid),
        index: tracer.index_of(processid),
        process_name: process.get_process_name(),
        class,
        driver,
        number: u32::try_from(number).unwrap_or(u32::MAX),
        arg0: u32::try_from(arg0).unwrap_or(u32::MAX),
        arg1: u32::try_from(arg1).unwrap_or(u32::MAX),
        peer: if is_ipc_share {
            tracer.process_at(number)
        } else {
            None
        },
    })
}

/// The board's `ContextSwitchCallback` (often `()`); a process's first run
/// and its first run after each restart are recorded.
pub struct TraceSwitch<'a, C: ContextSwitchCallback> {
    inner: &'a C,
    tracer: &'a dyn TraceEvents,
}

impl<'a, C: ContextSwitchCallback> TraceSwitch<'a, C> {
    /// Wraps `inner`, which still runs first.
    pub const fn new(inner: &'a C, tracer: &'a dyn TraceEvents) -> Self {
        TraceSwitch { inner, tracer }
    }
}

impl<C: ContextSwitchCallback> ContextSwitchCallback for TraceSwitch<'_, C> {
    fn context_switch_hook(&self, process: &dyn Process) {
        self.inner.context_switch_hook(process);
        self.tracer.record(&Event::ProcessScheduled {
            pid: pid16(process.processid()),
            restart_count: u16::try_from(process.get_restart_count()).unwrap_or(u16::MAX),
            name: process.get_process_name(),
        });
    }
}

/// The fault policy the board hands to `load_processes`; its decision for
/// each fault is recorded.
pub struct TraceFaultPolicy<'a, P: ProcessFaultPolicy> {
    inner: &'a P,
    tracer: &'a dyn TraceEvents,
}

impl<'a, P: ProcessFaultPolicy> TraceFaultPolicy<'a, P> {
    /// Wraps `inner`, which still decides.
    pub const fn new(inner: &'a P, tracer: &'a dyn TraceEvents) -> Self {
        TraceFaultPolicy { inner, tracer }
    }
}

impl<P: ProcessFaultPolicy> ProcessFaultPolicy for TraceFaultPolicy<'_, P> {
    fn action(&self, process: &dyn Process) -> process::FaultAction {
        let action = self.inner.action(process);
        self.tracer.record(&Event::ProcessFault {
            pid: pid16(process.processid()),
            info: fault_info(process),
            action: match action {
                process::FaultAction::Panic => FaultAction::PanicKernel,
                process::FaultAction::Restart => FaultAction::Restart,
                process::FaultAction::Stop => FaultAction::Stop,
            },
        });
        action
    }
}

/// Cause, address and pc from the process's saved registers: decoded for
/// RISC-V (mcause, mtval, pc); unknown elsewhere (Cortex-M keeps the fault
/// status in the SCB, not in the process state).
fn fault_info(process: &dyn Process) -> FaultInfo {
    let mut state = [0u8; 160];
    match process.get_stored_state(&mut state) {
        Ok(len) => state
            .get(..len)
            .and_then(decode_rv32_stored_state)
            .unwrap_or(FaultInfo::UNKNOWN),
        Err(_) => FaultInfo::UNKNOWN,
    }
}
