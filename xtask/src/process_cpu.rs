//! CPU time a process has used, user and system, from Linux's `/proc/<pid>/stat`: the load
//! benchmarks divide it by the messages a load carried, to say what each message costs the
//! server and the load generator that share the machine's cores.

/// `/proc/<pid>/stat` counts in USER_HZ ticks, 100 per second on every Linux platform.
const TICKS_PER_SECOND: f64 = 100.0;

/// CPU seconds used so far by every thread of process `pid` (`None` where there is no
/// `/proc`, or the process is gone).
pub fn seconds(pid: u32) -> Option<f64> {
    read(&format!("/proc/{pid}/stat"))
}

/// The same for this process.
pub fn own_seconds() -> Option<f64> {
    read("/proc/self/stat")
}

fn read(path: &str) -> Option<f64> {
    parse(&std::fs::read_to_string(path).ok()?)
}

/// utime and stime, the 14th and 15th fields; the command name (2nd) is in parentheses and
/// may hold spaces, so fields are counted after its closing one.
fn parse(stat: &str) -> Option<f64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some((utime + stime) as f64 / TICKS_PER_SECOND)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_user_and_system_ticks_after_a_command_name_with_spaces() {
        let stat = "4242 (tokio rt) S 1 4242 4242 0 -1 4194560 2213 0 0 0 150 25 0 0 20 0 3 0";
        assert_eq!(parse(stat), Some(1.75));
    }

    #[test]
    fn this_process_has_used_some_cpu() {
        assert!(own_seconds().is_some_and(|s| s >= 0.0));
    }
}
