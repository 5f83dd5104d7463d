//! Results: the Markdown table, the ratios of the first target to the others, and JSON.

use std::fmt::Write as _;

use crate::runner::CellResult;

/// First target's value divided by another target's, per metric, for one cell.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Ratio {
    /// Workload name.
    pub workload: String,
    /// Object size in bytes.
    pub size: u64,
    /// Concurrency.
    pub concurrency: usize,
    /// The first target (numerator).
    pub target: String,
    /// The other target (denominator).
    pub baseline: String,
    /// ops/s ratio (higher is better for the first target).
    pub ops_per_s: Option<f64>,
    /// MiB/s ratio.
    pub mib_per_s: Option<f64>,
    /// p50 latency ratio (lower is better).
    pub p50: Option<f64>,
    /// p99 latency ratio.
    pub p99: Option<f64>,
    /// Server CPU per 1,000 ops ratio (lower is better).
    pub cpu_per_1k_ops: Option<f64>,
    /// Peak RSS ratio.
    pub peak_rss: Option<f64>,
    /// Whether both cells ran cleanly (no errors, validated); otherwise the ratio misleads.
    pub clean: bool,
}

fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 && a.is_finite() && b.is_finite() => Some(a / b),
        _ => None,
    }
}

/// Ratios of the first target (`targets[0]`) to every other target, per cell.
pub fn ratios(results: &[CellResult], targets: &[String]) -> Vec<Ratio> {
    let Some((first, others)) = targets.split_first() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for a in results.iter().filter(|r| &r.target == first) {
        for other in others {
            let Some(b) = results.iter().find(|r| {
                &r.target == other
                    && r.workload == a.workload
                    && r.size == a.size
                    && r.concurrency == a.concurrency
            }) else {
                continue;
            };
            let lat = |r: &CellResult, f: fn(&crate::stats::Percentiles) -> f64| {
                r.latency.as_ref().map(f)
            };
            out.push(Ratio {
                workload: a.workload.clone(),
                size: a.size,
                concurrency: a.concurrency,
                target: first.clone(),
                baseline: other.clone(),
                ops_per_s: ratio(Some(a.ops_per_s), Some(b.ops_per_s)),
                mib_per_s: ratio(Some(a.mib_per_s), Some(b.mib_per_s)),
                p50: ratio(lat(a, |p| p.p50_ms), lat(b, |p| p.p50_ms)),
                p99: ratio(lat(a, |p| p.p99_ms), lat(b, |p| p.p99_ms)),
                cpu_per_1k_ops: ratio(a.server_cpu_s_per_1k_ops, b.server_cpu_s_per_1k_ops),
                peak_rss: ratio(a.server_peak_rss_mib, b.server_peak_rss_mib),
                clean: a.is_clean() && b.is_clean(),
            });
        }
    }
    out
}

/// `4 KiB`, `1 MiB`, `64 MiB`, `1000 B`.
pub fn human_size(n: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")];
    for (m, u) in UNITS {
        if n >= m && n.is_multiple_of(m) {
            return format!("{} {u}", n / m);
        }
    }
    format!("{n} B")
}

/// The label of a cell: `get 4 KiB c8`, `list-flat c8`.
pub fn cell_label(workload: &str, size: u64, concurrency: usize) -> String {
    if size == 0 {
        format!("{workload} c{concurrency}")
    } else {
        format!("{workload} {} c{concurrency}", human_size(size))
    }
}

/// Three significant digits, no exponent.
fn num(x: f64) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    let a = x.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 100.0 {
        format!("{x:.0}")
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}

fn opt(x: Option<f64>) -> String {
    x.map(num).unwrap_or_else(|| "-".into())
}

fn times(x: Option<f64>) -> String {
    x.map(|v| format!("{}×", num(v)))
        .unwrap_or_else(|| "-".into())
}

/// One line of the table for a result (also used for progress output).
pub fn row(r: &CellResult) -> String {
    let mut errors = r.errors.to_string();
    if r.invalid.is_some() {
        errors.push_str(" invalid");
    }
    if r.ended_early {
        errors.push_str(" (ended early)");
    }
    format!(
        "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
        cell_label(&r.workload, r.size, r.concurrency),
        r.target,
        num(r.ops_per_s),
        num(r.mib_per_s),
        opt(r.latency.map(|p| p.p50_ms)),
        opt(r.latency.map(|p| p.p99_ms)),
        errors,
        opt(r.server_cpu_s_per_1k_ops),
        opt(r.server_peak_rss_mib),
    )
}

/// The table header.
pub const HEADER: &str = "| cell | target | ops/s | MiB/s | p50 ms | p99 ms | errors | server CPU s/1k ops | server peak RSS MiB |\n\
                          |---|---|--:|--:|--:|--:|--:|--:|--:|";

/// The results table: per cell, one row per target, then one ratio row per other target;
/// followed by the errors and invalid cells.
pub fn table(results: &[CellResult], targets: &[String]) -> String {
    let ratios = ratios(results, targets);
    let mut out = String::new();
    let _ = writeln!(out, "{HEADER}");
    let mut seen: Vec<(String, u64, usize)> = Vec::new();
    for r in results {
        let key = (r.workload.clone(), r.size, r.concurrency);
        if seen.contains(&key) {
            continue;
        }
        seen.push(key.clone());
        for t in targets {
            if let Some(r) = results.iter().find(|x| {
                &x.target == t && x.workload == key.0 && x.size == key.1 && x.concurrency == key.2
            }) {
                let _ = writeln!(out, "{}", row(r));
            }
        }
        for q in ratios
            .iter()
            .filter(|q| q.workload == key.0 && q.size == key.1 && q.concurrency == key.2)
        {
            let _ = writeln!(
                out,
                "| {} | *{}/{}*{} | {} | {} | {} | {} | | {} | {} |",
                cell_label(&q.workload, q.size, q.concurrency),
                q.target,
                q.baseline,
                if q.clean { "" } else { " (unclean)" },
                times(q.ops_per_s),
                times(q.mib_per_s),
                times(q.p50),
                times(q.p99),
                times(q.cpu_per_1k_ops),
                times(q.peak_rss),
            );
        }
    }
    let troubled: Vec<&CellResult> = results
        .iter()
        .filter(|r| r.errors > 0 || r.invalid.is_some())
        .collect();
    if !troubled.is_empty() {
        let _ = writeln!(out, "\nProblems:");
        for r in troubled {
            let label = cell_label(&r.workload, r.size, r.concurrency);
            if let Some(why) = &r.invalid {
                let _ = writeln!(out, "- {label} on {}: {why}", r.target);
            }
            for e in &r.error_samples {
                let _ = writeln!(out, "- {label} on {}: {e}", r.target);
            }
        }
    }
    out
}

/// A workload against its reference on the same target (e.g. a mirrored GET against a direct
/// GET from the origin): workload value / reference value.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Pair {
    /// The workload.
    pub workload: String,
    /// Its reference.
    pub reference: String,
    /// Object size in bytes.
    pub size: u64,
    /// Concurrency.
    pub concurrency: usize,
    /// Target.
    pub target: String,
    /// ops/s ratio.
    pub ops_per_s: Option<f64>,
    /// Median time to first byte of each, ms.
    pub ttfb_p50_ms: (Option<f64>, Option<f64>),
    /// Ratio of median times to first byte.
    pub ttfb_p50: Option<f64>,
    /// Ratio of p99 times to first byte.
    pub ttfb_p99: Option<f64>,
    /// Median total time of each, ms.
    pub total_p50_ms: (Option<f64>, Option<f64>),
    /// Ratio of median total times.
    pub total_p50: Option<f64>,
    /// Ratio of p99 total times.
    pub total_p99: Option<f64>,
    /// Goal for `ttfb_p50` (at most), if any.
    pub ttfb_goal: Option<f64>,
    /// Goal for `total_p50` (at most), if any.
    pub total_goal: Option<f64>,
    /// Whether both cells ran cleanly.
    pub clean: bool,
}

/// Every workload/reference pair in `results`.
pub fn pairs(results: &[CellResult]) -> Vec<Pair> {
    let mut out = Vec::new();
    for def in crate::workload::REGISTRY {
        let Some(reference) = def.reference else {
            continue;
        };
        for a in results.iter().filter(|r| r.workload == def.name) {
            let Some(b) = results.iter().find(|r| {
                r.workload == reference.name
                    && r.target == a.target
                    && r.size == a.size
                    && r.concurrency == a.concurrency
            }) else {
                continue;
            };
            let ttfb =
                |r: &CellResult, f: fn(&crate::stats::Percentiles) -> f64| r.ttfb.as_ref().map(f);
            let total = |r: &CellResult, f: fn(&crate::stats::Percentiles) -> f64| {
                r.latency.as_ref().map(f)
            };
            out.push(Pair {
                workload: a.workload.clone(),
                reference: b.workload.clone(),
                size: a.size,
                concurrency: a.concurrency,
                target: a.target.clone(),
                ops_per_s: ratio(Some(a.ops_per_s), Some(b.ops_per_s)),
                ttfb_p50_ms: (ttfb(a, |p| p.p50_ms), ttfb(b, |p| p.p50_ms)),
                ttfb_p50: ratio(ttfb(a, |p| p.p50_ms), ttfb(b, |p| p.p50_ms)),
                ttfb_p99: ratio(ttfb(a, |p| p.p99_ms), ttfb(b, |p| p.p99_ms)),
                total_p50_ms: (total(a, |p| p.p50_ms), total(b, |p| p.p50_ms)),
                total_p50: ratio(total(a, |p| p.p50_ms), total(b, |p| p.p50_ms)),
                total_p99: ratio(total(a, |p| p.p99_ms), total(b, |p| p.p99_ms)),
                ttfb_goal: reference.ttfb_goal,
                total_goal: reference.total_goal,
                clean: a.is_clean() && b.is_clean(),
            });
        }
    }
    out
}

fn verdict(value: Option<f64>, goal: Option<f64>) -> String {
    match (value, goal) {
        (Some(v), Some(g)) if v <= g => format!("{}× ✓ (≤ {g}×)", num(v)),
        (Some(v), Some(g)) => format!("{}× ✗ (goal ≤ {g}×)", num(v)),
        (v, _) => times(v),
    }
}

/// The back-to-origin section: each workload against its reference on the same target, and
/// the peak RSS of workloads with a memory goal. Empty when `results` has none.
pub fn back_to_origin_table(results: &[CellResult]) -> String {
    let pairs = pairs(results);
    let mut out = String::new();
    if !pairs.is_empty() {
        let _ = writeln!(
            out,
            "Back-to-origin: each workload against its reference on the same target \
             (ratios are workload / reference)\n"
        );
        let _ = writeln!(
            out,
            "| cell | target | vs | ops/s | TTFB p50 ms | TTFB p50 | TTFB p99 | total p50 ms | total p50 | total p99 |\n\
             |---|---|---|--:|--:|--:|--:|--:|--:|--:|"
        );
        for p in &pairs {
            let ms = |(a, b): (Option<f64>, Option<f64>)| format!("{} / {}", opt(a), opt(b));
            let _ = writeln!(
                out,
                "| {} | {} | {}{} | {} | {} | {} | {} | {} | {} | {} |",
                cell_label(&p.workload, p.size, p.concurrency),
                p.target,
                p.reference,
                if p.clean { "" } else { " (unclean)" },
                times(p.ops_per_s),
                ms(p.ttfb_p50_ms),
                verdict(p.ttfb_p50, p.ttfb_goal),
                times(p.ttfb_p99),
                ms(p.total_p50_ms),
                verdict(p.total_p50, p.total_goal),
                times(p.total_p99),
            );
        }
    }
    for def in crate::workload::REGISTRY {
        let Some(goal) = def.rss_goal_mib else {
            continue;
        };
        for r in results.iter().filter(|r| r.workload == def.name) {
            let Some(peak) = r.server_peak_rss_mib else {
                continue;
            };
            let mark = if peak < goal { "✓" } else { "✗" };
            if !out.is_empty() {
                out.push('\n');
            }
            let _ = writeln!(
                out,
                "{} on {}: server peak RSS {} MiB {mark} (goal < {goal} MiB; {} MiB resident \
                 when the cell started: run it alone on a fresh server to judge the goal){}",
                cell_label(&r.workload, r.size, r.concurrency),
                r.target,
                num(peak),
                opt(r.server_start_rss_mib),
                if r.is_clean() { "" } else { " (unclean)" },
            );
        }
    }
    out
}

/// Machine facts for the JSON record.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Machine {
    /// Logical CPUs.
    pub cpus: usize,
    /// `model name` of `/proc/cpuinfo`.
    pub cpu_model: Option<String>,
    /// `MemTotal` of `/proc/meminfo`, MiB.
    pub mem_total_mib: Option<u64>,
    /// `/proc/sys/kernel/osrelease`.
    pub kernel: Option<String>,
}

impl Machine {
    /// Reads the facts of this machine.
    pub fn detect() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        Self {
            cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu_model: cpuinfo.lines().find_map(|l| {
                let (k, v) = l.split_once(':')?;
                (k.trim() == "model name").then(|| v.trim().to_owned())
            }),
            mem_total_mib: meminfo.lines().find_map(|l| {
                let v = l.strip_prefix("MemTotal:")?;
                v.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .map(|k| k / 1024)
            }),
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .ok()
                .map(|s| s.trim().to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Percentiles;

    fn cell(target: &str, ops_per_s: f64, p50: f64) -> CellResult {
        CellResult {
            workload: "get".into(),
            size: 4096,
            concurrency: 8,
            target: target.into(),
            ops: 100,
            errors: 0,
            error_samples: vec![],
            bytes: 409_600,
            elapsed_s: 1.0,
            ops_per_s,
            mib_per_s: ops_per_s * 4096.0 / 1048576.0,
            latency: Some(Percentiles {
                p50_ms: p50,
                p90_ms: p50,
                p99_ms: p50 * 2.0,
                max_ms: p50 * 3.0,
                mean_ms: p50,
            }),
            ttfb: None,
            server_cpu_s_per_1k_ops: Some(0.1),
            server_cpu_s: Some(0.01),
            server_peak_rss_mib: None,
            server_hwm_mib: None,
            server_start_rss_mib: None,
            ended_early: false,
            invalid: None,
        }
    }

    #[test]
    fn ratio_rows() {
        let results = vec![cell("ossemu", 2000.0, 1.0), cell("s3s-fs", 1000.0, 2.0)];
        let targets = vec!["ossemu".to_string(), "s3s-fs".to_string()];
        let q = ratios(&results, &targets);
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].ops_per_s, Some(2.0));
        assert_eq!(q[0].p50, Some(0.5));
        assert_eq!(q[0].cpu_per_1k_ops, Some(1.0));
        assert_eq!(q[0].peak_rss, None);
        assert!(q[0].clean);
        let t = table(&results, &targets);
        assert!(
            t.contains("| get 4 KiB c8 | ossemu | 2000 | 7.81 | 1.00 | 2.00 | 0 | 0.100 | - |"),
            "{t}"
        );
        assert!(
            t.contains(
                "| get 4 KiB c8 | *ossemu/s3s-fs* | 2.00× | 2.00× | 0.500× | 0.500× | | 1.00× | - |"
            ),
            "{t}"
        );
        assert!(!t.contains("Problems"));
    }

    #[test]
    fn pairs_against_references() {
        let mut mirror = cell("ossemu", 100.0, 2.2);
        mirror.workload = "mirror-cold".into();
        mirror.ttfb = mirror.latency;
        let mut direct = cell("ossemu", 200.0, 2.0);
        direct.workload = "origin-direct".into();
        direct.ttfb = Some(Percentiles {
            p50_ms: 2.0,
            p90_ms: 2.0,
            p99_ms: 2.0,
            max_ms: 2.0,
            mean_ms: 2.0,
        });
        let p = pairs(&[mirror.clone(), direct.clone()]);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].reference, "origin-direct");
        assert_eq!(p[0].ops_per_s, Some(0.5));
        assert!((p[0].total_p50.unwrap() - 1.1).abs() < 1e-9);
        assert_eq!(p[0].ttfb_goal, Some(1.2));
        let t = back_to_origin_table(&[mirror, direct]);
        assert!(t.contains("| mirror-cold 4 KiB c8 | ossemu | origin-direct | 0.500× | 2.20 / 2.00 | 1.10× ✓ (≤ 1.2×) |"), "{t}");
        assert!(back_to_origin_table(&[cell("ossemu", 1.0, 1.0)]).is_empty());
    }

    #[test]
    fn labels() {
        assert_eq!(human_size(4096), "4 KiB");
        assert_eq!(human_size(64 << 20), "64 MiB");
        assert_eq!(human_size(1000), "1000 B");
        assert_eq!(cell_label("list-flat", 0, 32), "list-flat c32");
    }
}
