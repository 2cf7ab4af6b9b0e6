//! The peak resident set size of this process, from `/proc/self/status` (Linux).

/// `VmHWM` of a `/proc/<pid>/status` text: the peak resident set size, in KiB.
pub fn peak_rss_kib(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let mut words = line["VmHWM:".len()..].split_whitespace();
    let kib = words.next()?.parse().ok()?;
    // The kernel writes the unit; anything else is not the field we know.
    (words.next() == Some("kB")).then_some(kib)
}

/// This process's peak resident set size so far, in KiB; `None` where there is no
/// `/proc/self/status`.
pub fn own_peak_rss_kib() -> Option<u64> {
    peak_rss_kib(&std::fs::read_to_string("/proc/self/status").ok()?)
}
