//! The agent's own presence: what they chose, and automatic away after idle time.
//!
//! Only an automatic away is undone automatically: an agent who chose "away" stays away
//! when they move the mouse.

use tidings_protocol::{Millis, PresenceStatus};

/// Idle time after which an online agent is shown away (SPEC section 5).
pub const IDLE_AWAY_MS: Millis = 5 * 60 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Presence {
    /// What the agent picked with the toggle.
    pub chosen: PresenceStatus,
    /// Set while the agent is away only because they were idle.
    pub auto_away: bool,
}

impl Default for Presence {
    fn default() -> Self {
        Presence {
            chosen: PresenceStatus::Online,
            auto_away: false,
        }
    }
}

impl Presence {
    /// What the server should be told.
    pub fn effective(self) -> PresenceStatus {
        if self.auto_away {
            PresenceStatus::Away
        } else {
            self.chosen
        }
    }

    /// The agent used the toggle: a deliberate choice clears any automatic state.
    pub fn toggle(self) -> Presence {
        let chosen = match self.effective() {
            PresenceStatus::Online => PresenceStatus::Away,
            _ => PresenceStatus::Online,
        };
        Presence {
            chosen,
            auto_away: false,
        }
    }

    /// Called periodically with the time since the agent's last input.
    pub fn on_idle(self, idle_for: Millis) -> Presence {
        if self.chosen == PresenceStatus::Online && idle_for >= IDLE_AWAY_MS {
            Presence {
                auto_away: true,
                ..self
            }
        } else {
            self
        }
    }

    /// The agent did something (key, click, pointer, focus).
    pub fn on_activity(self) -> Presence {
        Presence {
            auto_away: false,
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PresenceStatus::*;

    #[test]
    fn idle_turns_online_into_away_and_activity_undoes_it() {
        let start = Presence::default();
        assert_eq!(start.effective(), Online);
        assert_eq!(start.on_idle(IDLE_AWAY_MS - 1).effective(), Online);
        let idle = start.on_idle(IDLE_AWAY_MS);
        assert_eq!(idle.effective(), Away);
        assert_eq!(idle.on_activity().effective(), Online);
    }

    #[test]
    fn a_chosen_away_survives_activity() {
        let away = Presence::default().toggle();
        assert_eq!(away.effective(), Away);
        assert_eq!(away.on_activity().effective(), Away);
        assert_eq!(
            away.on_idle(IDLE_AWAY_MS * 2).on_activity().effective(),
            Away
        );
        assert_eq!(away.toggle().effective(), Online);
    }

    #[test]
    fn toggling_while_auto_away_goes_online() {
        let idle = Presence::default().on_idle(IDLE_AWAY_MS);
        let toggled = idle.toggle();
        assert_eq!(toggled.effective(), Online);
        assert!(!toggled.auto_away);
    }
}
