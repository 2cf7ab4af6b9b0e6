//! The pure parts of the download bench (`benches/download.rs`): the rotating rounds its
//! downloads run in, and the peak RSS each download process reports.

#[path = "../benches/common/measure.rs"]
#[allow(dead_code)] // reason: only `rotate` is under test here
mod measure;

#[path = "../benches/download/proc_status.rs"]
mod proc_status;

#[test]
fn rounds_rotate_which_side_goes_first() {
    let mut log = String::new();
    let out = measure::rotate(4, 3, |side| {
        let c = char::from(b'a' + side as u8);
        log.push(c);
        (c, log.len())
    });
    // Every side goes first, second and third in turn.
    assert_eq!(
        log,
        "abc" /* round 0 */
            .to_owned()
            + "bca"
            + "cab"
            + "abc"
    );
    assert_eq!(out.len(), 3);
    assert!(out.iter().all(|side| side.len() == 4));
    // Results are per side, in round order: side b ran 2nd, 4th, 9th and 11th.
    assert_eq!(out[1], vec![('b', 2), ('b', 4), ('b', 9), ('b', 11)]);
    // Two sides alternate, as the ratio benches' rounds do.
    let mut log = String::new();
    measure::rotate(3, 2, |side| log.push(if side == 0 { 'o' } else { 'f' }));
    assert_eq!(log, "offoof");
    assert!(measure::rotate(0, 2, |_| ()).iter().all(Vec::is_empty));
}

#[test]
fn peak_rss_is_read_from_vm_hwm_in_kib() {
    let status = "Name:\tdownload\nVmPeak:\t  123456 kB\nVmSize:\t  120000 kB\n\
                  VmHWM:\t    5632 kB\nVmRSS:\t    5120 kB\nThreads:\t4\n";
    assert_eq!(proc_status::peak_rss_kib(status), Some(5632));
    // Not VmPeak (virtual) nor VmRSS (current); nothing when the line is missing or odd.
    assert_eq!(proc_status::peak_rss_kib("VmRSS:\t 5120 kB\n"), None);
    assert_eq!(proc_status::peak_rss_kib("VmHWM:\t lots kB\n"), None);
    assert_eq!(proc_status::peak_rss_kib("VmHWM:\t 5632 MB\n"), None);
    assert_eq!(proc_status::peak_rss_kib("VmHWM:\n"), None);
    assert_eq!(proc_status::peak_rss_kib(""), None);
}

#[cfg(target_os = "linux")]
#[test]
fn this_process_has_a_peak_rss_at_least_as_large_as_what_it_touched() {
    let before = proc_status::own_peak_rss_kib().expect("Linux has /proc/self/status");
    // Touch 16 MiB more than the process held at its peak so far: the peak must grow.
    let held = std::hint::black_box(vec![1u8; (before as usize + 16 * 1024) * 1024]);
    let after = proc_status::own_peak_rss_kib().expect("Linux has /proc/self/status");
    assert!(
        after >= before + 16 * 1024,
        "peak RSS {after} KiB after touching {} KiB (was {before} KiB)",
        held.len() / 1024
    );
    drop(held);
}
