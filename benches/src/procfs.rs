//! What Linux's `/proc/self` tells of this process: resident memory, now and at its peak, and
//! CPU time.

use std::io;
use std::time::Duration;

/// The clock ticks per second of `/proc/<pid>/stat`'s times: Linux's `USER_HZ`, 100 on every
/// architecture it exposes to user space.
const TICKS_PER_SECOND: u64 = 100;

/// The process's resident set size in bytes (`VmRSS` of `/proc/self/status`).
pub fn rss_bytes() -> io::Result<u64> {
    parse_kib(&std::fs::read_to_string("/proc/self/status")?, "VmRSS:")
}

/// The most the process's resident set size has been, in bytes (`VmHWM` of
/// `/proc/self/status`).
pub fn peak_rss_bytes() -> io::Result<u64> {
    parse_kib(&std::fs::read_to_string("/proc/self/status")?, "VmHWM:")
}

/// The CPU time the process has used, user and system, every thread included (`utime` and
/// `stime` of `/proc/self/stat`), to the 10 ms tick.
pub fn cpu_time() -> io::Result<Duration> {
    parse_cpu_time(&std::fs::read_to_string("/proc/self/stat")?)
}

/// The value of the `key` line of `/proc/self/status`, given in kB, in bytes.
fn parse_kib(status: &str, key: &str) -> io::Result<u64> {
    let kib = status
        .lines()
        .find_map(|line| line.strip_prefix(key))
        .and_then(|value| value.trim().strip_suffix("kB"))
        .and_then(|kib| kib.trim().parse::<u64>().ok())
        .ok_or_else(|| io::Error::other(format!("no {key} line in /proc/self/status")))?;
    Ok(kib * 1024)
}

fn parse_cpu_time(stat: &str) -> io::Result<Duration> {
    // The command name, in parentheses, may hold spaces: the fields counted here follow it.
    // After it come state (field 3), ..., utime (field 14) and stime (field 15).
    let after_name = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest)
        .ok_or_else(|| io::Error::other("no command name in /proc/self/stat"))?;
    let mut fields = after_name.split_whitespace().skip(11);
    let mut ticks = || -> io::Result<u64> {
        fields
            .next()
            .and_then(|field| field.parse().ok())
            .ok_or_else(|| io::Error::other("no utime or stime in /proc/self/stat"))
    };
    let total = ticks()? + ticks()?;
    Ok(Duration::from_millis(total * 1000 / TICKS_PER_SECOND))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_is_read_in_kib() {
        let status = "Name:\tbench\nVmHWM:\t  9000 kB\nVmRSS:\t    2036 kB\nThreads:\t1\n";
        assert_eq!(parse_kib(status, "VmRSS:").unwrap(), 2036 * 1024);
        assert_eq!(parse_kib(status, "VmHWM:").unwrap(), 9000 * 1024);
        assert!(parse_kib("Name:\tbench\n", "VmRSS:").is_err());
    }

    #[test]
    fn cpu_time_adds_user_and_system_ticks() {
        let stat = "25142 (a (weird) name) R 25138 25138 15266 0 -1 4194304 102 0 0 0 150 25 0 0 \
                    20 0 1 0 363480 3133440 388";
        assert_eq!(parse_cpu_time(stat).unwrap(), Duration::from_millis(1750));
    }

    #[test]
    fn this_process_has_memory_and_a_cpu_time() {
        assert!(rss_bytes().unwrap() > 0);
        assert!(peak_rss_bytes().unwrap() >= rss_bytes().unwrap());
        cpu_time().unwrap();
    }
}
