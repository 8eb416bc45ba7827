//! Which process starts were already announced.

/// The last announced (pid, restart count) of up to `P` processes, keyed by
/// package name (a restarted process keeps its name; Tock gives it a new
/// pid). A name beyond the first `P` is never announced.
pub struct ProcTable<const P: usize> {
    slots: [Option<(&'static str, u16, u16)>; P],
}

impl<const P: usize> ProcTable<P> {
    /// No process announced yet.
    pub const fn new() -> Self {
        ProcTable { slots: [None; P] }
    }

    /// Records that process `name` runs as `pid` with `restart_count`; true
    /// if that is news (first run, or a new pid or restart count).
    pub fn note(&mut self, name: &'static str, pid: u16, restart_count: u16) -> bool {
        let entry = Some((name, pid, restart_count));
        let slot = match self
            .slots
            .iter()
            .position(|s| s.map(|(n, _, _)| n) == Some(name))
        {
            Some(i) => self.slots.get_mut(i),
            None => self.slots.iter_mut().find(|s| s.is_none()),
        };
        match slot {
            Some(slot) if *slot == entry => false,
            Some(slot) => {
                *slot = entry;
                true
            }
            None => false,
        }
    }
}

impl<const P: usize> Default for ProcTable<P> {
    fn default() -> Self {
        Self::new()
    }
}
