//! The board's `KernelResources` with the tracer's wrappers in place.

use core::marker::PhantomData;

use kernel::platform::chip::Chip;
use kernel::platform::KernelResources;

use crate::drivers::TraceDrivers;
use crate::hooks::{TraceFilter, TraceSwitch};
use crate::tracer::TraceEvents;

/// Hand this to `kernel_loop` instead of the board's platform: driver
/// lookup, syscall filter and context switch callback are the board's own,
/// wrapped; scheduler, timer, watchdog and fault hook are the board's as is.
pub struct TracedResources<'a, C: Chip, KR: KernelResources<C>> {
    inner: &'a KR,
    drivers: TraceDrivers<'a, KR::SyscallDriverLookup>,
    filter: TraceFilter<'a, KR::SyscallFilter>,
    switch: TraceSwitch<'a, KR::ContextSwitchCallback>,
    chip: PhantomData<C>,
}

impl<'a, C: Chip, KR: KernelResources<C>> TracedResources<'a, C, KR> {
    /// Wraps the board's `platform` for `tracer`.
    pub fn new(platform: &'a KR, tracer: &'a dyn TraceEvents) -> Self {
        TracedResources {
            inner: platform,
            drivers: TraceDrivers::new(platform.syscall_driver_lookup(), tracer),
            filter: TraceFilter::new(platform.syscall_filter(), tracer),
            switch: TraceSwitch::new(platform.context_switch_callback(), tracer),
            chip: PhantomData,
        }
    }
}

impl<'a, C: Chip, KR: KernelResources<C>> KernelResources<C> for TracedResources<'a, C, KR> {
    type SyscallDriverLookup = TraceDrivers<'a, KR::SyscallDriverLookup>;
    type SyscallFilter = TraceFilter<'a, KR::SyscallFilter>;
    type ProcessFault = KR::ProcessFault;
    type ContextSwitchCallback = TraceSwitch<'a, KR::ContextSwitchCallback>;
    type Scheduler = KR::Scheduler;
    type SchedulerTimer = KR::SchedulerTimer;
    type WatchDog = KR::WatchDog;

    fn syscall_driver_lookup(&self) -> &Self::SyscallDriverLookup {
        &self.drivers
    }
    fn syscall_filter(&self) -> &Self::SyscallFilter {
        &self.filter
    }
    fn process_fault(&self) -> &Self::ProcessFault {
        self.inner.process_fault()
    }
    fn context_switch_callback(&self) -> &Self::ContextSwitchCallback {
        &self.switch
    }
    fn scheduler(&self) -> &Self::Scheduler {
        self.inner.scheduler()
    }
    fn scheduler_timer(&self) -> &Self::SchedulerTimer {
        self.inner.scheduler_timer()
    }
    fn watchdog(&self) -> &Self::WatchDog {
        self.inner.watchdog()
    }
}
