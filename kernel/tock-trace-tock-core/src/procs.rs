//! Which process starts were already announced.

/// Per process index: the restart count last announced and the name, for
/// `P` process slots. Indexes at or above `P` are never announced.
pub struct ProcTable<const P: usize> {
    slots: [Option<(u16, &'static str)>; P],
}

impl<const P: usize> ProcTable<P> {
    /// No process announced yet.
    pub const fn new() -> Self {
        ProcTable { slots: [None; P] }
    }

    /// Records that process `pid` runs with `restart_count`; true if that is
    /// news (first run, or a new restart count).
    pub fn note(&mut self, pid: u16, restart_count: u16, name: &'static str) -> bool {
        match self.slots.get_mut(usize::from(pid)) {
            Some(slot) if *slot == Some((restart_count, name)) => false,
            Some(slot) => {
                *slot = Some((restart_count, name));
                true
            }
            None => false,
        }
    }

    /// The name of the process in slot `pid`, if it has run.
    pub fn name(&self, pid: u16) -> Option<&'static str> {
        self.slots
            .get(usize::from(pid))
            .copied()
            .flatten()
            .map(|(_, name)| name)
    }
}

impl<const P: usize> Default for ProcTable<P> {
    fn default() -> Self {
        Self::new()
    }
}
