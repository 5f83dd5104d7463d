//! Server-side metrics from `/proc`: CPU time and resident memory of a process and its
//! descendants (nginx workers are children of the master whose pid is given).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often a [`RssSampler`] reads `VmRSS`.
pub const SAMPLE_EVERY: Duration = Duration::from_millis(100);

/// Clock ticks per second of `utime`/`stime` in `/proc/<pid>/stat` (`getconf CLK_TCK`).
pub fn clock_ticks_per_sec() -> u64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .filter(|&t: &u64| t > 0)
        .unwrap_or(100)
}

/// `pid` and all its descendants that are alive now.
pub fn process_tree(pid: u32) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for entry in dir.flatten() {
            let Some(p) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            if let Some(ppid) = read_stat(p).and_then(|f| f.get(1).and_then(|s| s.parse().ok())) {
                children.entry(ppid).or_default().push(p);
            }
        }
    }
    let mut out = vec![pid];
    let mut i = 0;
    while i < out.len() {
        if let Some(c) = children.get(&out[i]) {
            out.extend(c.iter().copied());
        }
        i += 1;
    }
    out
}

/// The fields of `/proc/<pid>/stat` after the command name: index 0 is `state` (field 3),
/// 1 is `ppid`, 11 is `utime` (field 14), 12 is `stime`.
fn read_stat(pid: u32) -> Option<Vec<String>> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = &s[s.rfind(')')? + 1..];
    Some(after.split_whitespace().map(str::to_owned).collect())
}

/// User plus system CPU ticks consumed so far by `pids` (threads included).
pub fn cpu_ticks(pids: &[u32]) -> u64 {
    pids.iter()
        .filter_map(|&p| {
            let f = read_stat(p)?;
            let u: u64 = f.get(11)?.parse().ok()?;
            let s: u64 = f.get(12)?.parse().ok()?;
            Some(u + s)
        })
        .sum()
}

/// Sum of a `kB` field (`VmRSS`, `VmHWM`) of `/proc/<pid>/status` over `pids`, in KiB.
pub fn status_kib(pids: &[u32], field: &str) -> u64 {
    pids.iter()
        .filter_map(|&p| {
            let s = std::fs::read_to_string(format!("/proc/{p}/status")).ok()?;
            s.lines().find_map(|l| {
                let v = l.strip_prefix(field)?.strip_prefix(':')?;
                v.trim().trim_end_matches("kB").trim().parse::<u64>().ok()
            })
        })
        .sum()
}

/// Whether `/proc/<pid>` exists.
pub fn alive(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// Samples the resident set of a process tree every [`SAMPLE_EVERY`] on its own thread,
/// keeping the peak.
#[derive(Debug)]
pub struct RssSampler {
    stop: Arc<AtomicBool>,
    peak_kib: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

impl RssSampler {
    /// Starts sampling `pid` and its descendants (one sample is taken before returning).
    pub fn start(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let peak_kib = Arc::new(AtomicU64::new(status_kib(&process_tree(pid), "VmRSS")));
        let thread = {
            let stop = stop.clone();
            let peak_kib = peak_kib.clone();
            std::thread::Builder::new()
                .name("rss-sampler".into())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        std::thread::sleep(SAMPLE_EVERY);
                        let rss = status_kib(&process_tree(pid), "VmRSS");
                        peak_kib.fetch_max(rss, Ordering::Relaxed);
                    }
                })
                .ok()
        };
        Self {
            stop,
            peak_kib,
            thread,
        }
    }

    /// Stops sampling and returns the peak in KiB (including a final sample).
    pub fn finish(mut self, pid: u32) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let last = status_kib(&process_tree(pid), "VmRSS");
        self.peak_kib.load(Ordering::Relaxed).max(last)
    }
}

impl Drop for RssSampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// CPU and memory of a server process tree over one measured cell.
#[derive(Debug)]
pub struct CellProbe {
    pid: u32,
    pids: Vec<u32>,
    ticks_before: u64,
    rss_before_kib: u64,
    sampler: RssSampler,
}

/// What a [`CellProbe`] measured.
#[derive(Debug, Clone, Copy)]
pub struct ServerUsage {
    /// User + system CPU seconds the server tree used during the cell.
    pub cpu_seconds: f64,
    /// Peak of the summed `VmRSS` sampled during the cell, MiB.
    pub peak_rss_mib: f64,
    /// Summed `VmHWM` (lifetime high-water mark) at the end of the cell, MiB.
    pub hwm_mib: f64,
    /// Summed `VmRSS` when the cell started, MiB (what earlier cells left resident).
    pub start_rss_mib: f64,
}

impl CellProbe {
    /// Starts measuring `pid` and its descendants.
    pub fn start(pid: u32) -> Self {
        let pids = process_tree(pid);
        let ticks_before = cpu_ticks(&pids);
        Self {
            pid,
            rss_before_kib: status_kib(&pids, "VmRSS"),
            pids,
            ticks_before,
            sampler: RssSampler::start(pid),
        }
    }

    /// Stops measuring; `clk_tck` from [`clock_ticks_per_sec`].
    pub fn finish(self, clk_tck: u64) -> ServerUsage {
        let peak = self.sampler.finish(self.pid);
        let ticks_after = cpu_ticks(&self.pids);
        let now = process_tree(self.pid);
        ServerUsage {
            cpu_seconds: ticks_after.saturating_sub(self.ticks_before) as f64 / clk_tck as f64,
            peak_rss_mib: peak as f64 / 1024.0,
            hwm_mib: status_kib(&now, "VmHWM") as f64 / 1024.0,
            start_rss_mib: self.rss_before_kib as f64 / 1024.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_own_process() {
        let me = std::process::id();
        assert!(alive(me));
        let tree = process_tree(me);
        assert_eq!(tree[0], me);
        // Burn a little CPU so the tick counter moves from zero on fast machines.
        let mut x = 0u64;
        for i in 0..5_000_000u64 {
            x = x.wrapping_add(i * i);
        }
        assert!(x > 0);
        assert!(status_kib(&[me], "VmRSS") > 0);
        assert!(status_kib(&[me], "VmHWM") >= status_kib(&[me], "VmRSS") / 2);
        let probe = CellProbe::start(me);
        let usage = probe.finish(clock_ticks_per_sec());
        assert!(usage.peak_rss_mib > 0.0);
        assert!(usage.cpu_seconds >= 0.0);
    }

    #[test]
    fn tree_includes_children() {
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .expect("sleep");
        let tree = process_tree(std::process::id());
        let found = tree.contains(&child.id());
        let _ = child.kill();
        let _ = child.wait();
        assert!(found);
    }
}
