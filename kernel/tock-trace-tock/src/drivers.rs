//! A `SyscallDriverLookup` wrapper whose proxies record command results.

use kernel::platform::SyscallDriverLookup;
use kernel::process::Error;
use kernel::processbuffer::UserspaceReadableProcessBuffer;
use kernel::syscall::{CommandReturn, SyscallDriver};
use kernel::{ErrorCode, ProcessId};
use tock_trace_tock_core::{is_traced_driver, CommandOutcome, Event, IPC_DRIVER};

use crate::tracer::{pid16, TraceEvents};

/// The board's driver lookup; the IPC and network drivers are handed to the
/// kernel behind a [`DriverProxy`], every other driver directly.
pub struct TraceDrivers<'a, L: SyscallDriverLookup> {
    inner: &'a L,
    tracer: &'a dyn TraceEvents,
}

impl<'a, L: SyscallDriverLookup> TraceDrivers<'a, L> {
    /// Wraps `inner`.
    pub const fn new(inner: &'a L, tracer: &'a dyn TraceEvents) -> Self {
        TraceDrivers { inner, tracer }
    }
}

impl<L: SyscallDriverLookup> SyscallDriverLookup for TraceDrivers<'_, L> {
    fn with_driver<F, R>(&self, driver_num: usize, f: F) -> R
    where
        F: FnOnce(Option<&dyn SyscallDriver>) -> R,
    {
        let traced = u32::try_from(driver_num).is_ok_and(is_traced_driver);
        if !traced {
            return self.inner.with_driver(driver_num, f);
        }
        self.inner.with_driver(driver_num, |driver| match driver {
            Some(driver) => f(Some(&DriverProxy {
                driver,
                driver_num,
                tracer: self.tracer,
            })),
            None => f(None),
        })
    }
}

/// A driver seen through the tracer: calls pass through unchanged; each
/// command is recorded with its result.
pub struct DriverProxy<'b> {
    driver: &'b dyn SyscallDriver,
    driver_num: usize,
    tracer: &'b dyn TraceEvents,
}

impl SyscallDriver for DriverProxy<'_> {
    fn command(
        &self,
        command_num: usize,
        r2: usize,
        r3: usize,
        process: ProcessId,
    ) -> CommandReturn {
        let result = self.driver.command(command_num, r2, r3, process);
        let driver = u32::try_from(self.driver_num).unwrap_or(u32::MAX);
        let is_ipc = driver == IPC_DRIVER;
        let outcome = outcome(&result);
        let peer = match (is_ipc, command_num, outcome) {
            (true, 1, CommandOutcome::SuccessU32(index)) => usize::try_from(index)
                .ok()
                .and_then(|i| self.tracer.process_at(i)),
            (true, 2 | 3, _) => self.tracer.process_at(r2),
            _ => None,
        };
        self.tracer.record(&Event::Command {
            pid: pid16(process),
            index: if is_ipc {
                self.tracer.index_of(process)
            } else {
                u16::MAX
            },
            driver,
            command: u32::try_from(command_num).unwrap_or(u32::MAX),
            arg0: r2 as u32,
            arg1: r3 as u32,
            outcome,
            peer,
        });
        result
    }

    fn allow_userspace_readable(
        &self,
        app: ProcessId,
        which: usize,
        slice: UserspaceReadableProcessBuffer,
    ) -> Result<UserspaceReadableProcessBuffer, (UserspaceReadableProcessBuffer, ErrorCode)> {
        self.driver.allow_userspace_readable(app, which, slice)
    }

    fn allocate_grant(&self, process: ProcessId) -> Result<(), Error> {
        self.driver.allocate_grant(process)
    }
}

fn outcome(result: &CommandReturn) -> CommandOutcome {
    if result.is_success() {
        CommandOutcome::Success
    } else if let Some(value) = result.get_success_u32() {
        CommandOutcome::SuccessU32(value)
    } else if let Some(code) = result.get_failure() {
        CommandOutcome::Failure(usize::from(code) as u32)
    } else if let Some((code, _)) = result.get_failure_u32() {
        CommandOutcome::Failure(usize::from(code) as u32)
    } else if let Some((code, _, _)) = result.get_failure_2_u32() {
        CommandOutcome::Failure(usize::from(code) as u32)
    } else if let Some((code, _)) = result.get_failure_u64() {
        CommandOutcome::Failure(usize::from(code) as u32)
    } else {
        CommandOutcome::SuccessOther
    }
}
