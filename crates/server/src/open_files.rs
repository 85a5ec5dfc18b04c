//! Raising the process's open-files limit at start. Every socket is a file descriptor, and
//! the usual soft limit (often 1024) would cap a node at about a thousand visitors long
//! before memory does; the hard limit is what an administrator allows, so the soft limit
//! is raised to it.

/// Raises the soft `RLIMIT_NOFILE` to the hard limit and logs the outcome; never fails.
pub fn raise_to_hard_limit() {
    let before = rlimit::Resource::NOFILE.get().ok();
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(soft) => match before {
            Some((was, hard)) if was < soft => {
                tracing::info!(from = was, to = soft, hard, "raised the open files limit")
            }
            Some((_, hard)) => {
                tracing::info!(soft, hard, "open files limit already at its hard limit")
            }
            None => tracing::info!(soft, "open files limit"),
        },
        Err(e) => {
            tracing::warn!(error = %e, "cannot raise the open files limit; sockets may run out")
        }
    }
}
