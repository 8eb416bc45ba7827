//! Which apps a service or interface admits.

use crate::text;

/// Apps allowed to use a service or a network interface, by TBF package name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppSelection {
    /// Every app (`"*"` in the board JSON).
    All,
    /// Only the apps named here.
    Only(&'static [&'static str]),
}

impl AppSelection {
    /// True if the app called `app` is admitted.
    pub const fn allows(&self, app: &str) -> bool {
        match self {
            AppSelection::All => true,
            AppSelection::Only(apps) => text::contains(apps, app),
        }
    }

    /// Number of named apps, or `None` for [`AppSelection::All`].
    pub const fn count(&self) -> Option<usize> {
        match self {
            AppSelection::All => None,
            AppSelection::Only(apps) => Some(apps.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_allows_every_app() {
        assert!(AppSelection::All.allows("anything"));
        assert_eq!(AppSelection::All.count(), None);
    }

    #[test]
    fn only_allows_listed_apps() {
        const SEL: AppSelection = AppSelection::Only(&["client_a", "client_b"]);
        assert!(SEL.allows("client_b"));
        assert!(!SEL.allows("client_c"));
        assert_eq!(SEL.count(), Some(2));
        assert!(!AppSelection::Only(&[]).allows("client_a"));
    }
}
