//! Command line.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::target::TargetSpec;
use crate::workload::{ALIASES, REGISTRY, StopRule, WorkloadDef};

/// Default `RUST_LOG` of the started ossemu: its start-up lines, warnings and errors, but
/// not the per-request log (nginx is run with `access_log off` too).
pub const DEFAULT_OSSEMU_LOG: &str = "warn,ossemu=info,ossemu_api=warn";

/// ossemu-bench: measures ossemu and other S3-compatible servers side by side.
///
/// Cells (workload × size × concurrency) run one after another; within a cell every target
/// is measured in turn, each on a bucket of its own. Requests are signed with AWS SigV4
/// (path style, UNSIGNED-PAYLOAD) unless the target is anonymous. `ossemu-bench drill …`
/// runs the reliability drills instead.
#[derive(Debug, Parser)]
#[command(name = "ossemu-bench", version, about, long_about = None)]
pub struct Cli {
    /// A drill instead of a benchmark run.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Target, repeatable; the first is compared with each other one. `ossemu` starts the
    /// ossemu binary on a temporary data directory; `http://HOST:PORT` is any S3 endpoint.
    /// Options after commas: name=NAME, pid=N, anonymous, access-key=AK, secret-key=SK,
    /// bucket=NAME, create=s3|mkcol|none; for ossemu also arg=ARG (repeatable).
    #[arg(long = "target", default_value = "ossemu", value_name = "SPEC")]
    pub targets: Vec<TargetSpec>,

    /// ossemu binary for `--target ossemu` [default: <workspace>/target/release/ossemu,
    /// or $CARGO_TARGET_DIR/release/ossemu].
    #[arg(long, value_name = "PATH")]
    pub ossemu_bin: Option<PathBuf>,

    /// Extra argument for the started ossemu, repeatable (e.g. `--ossemu-arg=--memory`).
    #[arg(long = "ossemu-arg", value_name = "ARG", allow_hyphen_values = true)]
    pub ossemu_args: Vec<String>,

    /// RUST_LOG of the started ossemu (`info` adds its per-request log).
    #[arg(long, value_name = "FILTER", default_value = DEFAULT_OSSEMU_LOG)]
    pub ossemu_log: String,

    /// Access key for URL targets without `access-key=`.
    #[arg(
        long,
        env = "OSSEMU_BENCH_ACCESS_KEY",
        default_value = "ossemu",
        value_name = "AK"
    )]
    pub access_key: String,

    /// Secret key for URL targets without `secret-key=`.
    #[arg(
        long,
        env = "OSSEMU_BENCH_SECRET_KEY",
        default_value = "ossemu-secret",
        value_name = "SK",
        hide_env_values = true
    )]
    pub secret_key: String,

    /// Send requests to URL targets unsigned (public buckets, servers without auth).
    #[arg(long)]
    pub anonymous: bool,

    /// Region in the SigV4 credential scope.
    #[arg(long, default_value = "us-east-1")]
    pub region: String,

    /// Server pid of the single URL target (with several, use `pid=` in each spec).
    #[arg(long, value_name = "N")]
    pub pid: Option<u32>,

    /// Workloads, comma-separated (`list` = list-flat,list-delim). See --list-workloads.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "put,get,head,delete,list,mixed"
    )]
    pub workloads: Vec<String>,

    /// Object sizes for sized workloads: bytes or k/m/g (KiB, MiB, GiB).
    #[arg(long, value_delimiter = ',', default_value = "4k,1m,64m", value_parser = parse_size)]
    pub sizes: Vec<u64>,

    /// Concurrent requests (workers), comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,8,32", value_parser = parse_concurrency)]
    pub concurrency: Vec<usize>,

    /// Measured time per cell and target (e.g. 10s, 500ms, 1m).
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub duration: Duration,

    /// Operations per cell and target instead of a duration.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub requests: Option<u64>,

    /// Smoke subset: 4 KiB put/get/head and 1 MiB get at concurrency 1 and 8, 2 s each,
    /// 100-object fixtures (overrides --workloads, --sizes, --concurrency, --duration).
    #[arg(long)]
    pub quick: bool,

    /// Write all results as JSON to this file.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,

    /// Give up on one operation after this long (counted as an error).
    #[arg(long, default_value = "120s", value_parser = parse_duration)]
    pub timeout: Duration,

    /// Objects in each read fixture (fewer for large sizes: at most 256 MiB, at least 8).
    #[arg(long, default_value_t = 1000, value_name = "N")]
    pub fixture_objects: usize,

    /// Keys in the listing fixture (spread over 100 prefixes).
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    pub list_keys: usize,

    /// Print the workloads and exit.
    #[arg(long)]
    pub list_workloads: bool,

    /// Delay of the built-in origin before each response head (back-to-origin workloads;
    /// e.g. 20ms for a distant origin).
    #[arg(long, default_value = "0s", value_parser = parse_delay)]
    pub origin_latency: Duration,

    /// Concurrent GETs of one key per operation of `mirror-concurrent`.
    #[arg(long, default_value_t = 32, value_parser = parse_concurrency)]
    pub mirror_fanout: usize,

    /// Object size of `mirror-1g`.
    #[arg(long, default_value = "1g", value_parser = parse_size)]
    pub mirror_large_size: u64,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Reliability drills. Each starts its own ossemu, ends with one line
    /// `DRILL <name>: PASS` or `DRILL <name>: FAIL (<reason>)`, and exits 0 or 1.
    Drill(DrillCommand),
    /// Start-up time: exec to the first healthy answer, on an empty data directory (new and
    /// again), one holding many objects, `--memory`, and a container with `--docker IMAGE`.
    Startup(crate::startup::StartupArgs),
}

/// `ossemu-bench drill …`.
#[derive(Debug, Args)]
pub struct DrillCommand {
    /// The drill.
    #[command(subcommand)]
    pub drill: crate::drill::Drill,
}

/// What a run measures: cells in order, and how each ends.
#[derive(Debug, Clone)]
pub struct Plan {
    /// `(workload, size, concurrency)` in run order.
    pub cells: Vec<(&'static WorkloadDef, u64, usize)>,
    /// How every cell ends.
    pub stop: StopRule,
    /// Objects per read fixture.
    pub fixture_objects: usize,
}

impl Cli {
    /// Expands the workload, size and concurrency lists (or `--quick`) into cells.
    pub fn plan(&self) -> anyhow::Result<Plan> {
        let stop_for = |d: Duration| match self.requests {
            Some(n) => StopRule::Requests(n),
            None => StopRule::Duration(d),
        };
        if self.quick {
            let find = |n: &str| {
                crate::workload::find(n).ok_or_else(|| anyhow::anyhow!("workload {n} missing"))
            };
            let pairs = [
                (find("put")?, 4096),
                (find("get")?, 4096),
                (find("head")?, 4096),
                (find("get")?, 1 << 20),
            ];
            let cells = pairs
                .iter()
                .flat_map(|&(d, s)| [1, 8].map(|c| (d, s, c)))
                .collect();
            return Ok(Plan {
                cells,
                stop: stop_for(Duration::from_secs(2)),
                fixture_objects: 100,
            });
        }
        let mut defs: Vec<&'static WorkloadDef> = Vec::new();
        for name in &self.workloads {
            let name = name.trim();
            let names: Vec<&str> = match ALIASES.iter().find(|(a, _)| *a == name) {
                Some((_, expanded)) => expanded.to_vec(),
                None => vec![name],
            };
            for n in names {
                let def = crate::workload::find(n).ok_or_else(|| {
                    anyhow::anyhow!("unknown workload {n:?} (see --list-workloads)")
                })?;
                if !defs.iter().any(|d| d.name == def.name) {
                    defs.push(def);
                }
            }
        }
        anyhow::ensure!(!defs.is_empty(), "no workloads given");
        anyhow::ensure!(!self.concurrency.is_empty(), "no concurrency given");
        let mut cells = Vec::new();
        for def in defs {
            if def.once {
                cells.push((def, 0, 1));
                continue;
            }
            let sizes: Vec<u64> = if def.sized {
                self.sizes.clone()
            } else {
                vec![0]
            };
            let concurrency = if def.own_concurrency {
                vec![1]
            } else {
                self.concurrency.clone()
            };
            for size in sizes {
                for &c in &concurrency {
                    cells.push((def, size, c));
                }
            }
        }
        Ok(Plan {
            cells,
            stop: stop_for(self.duration),
            fixture_objects: self.fixture_objects.max(1),
        })
    }
}

/// The `--list-workloads` text.
pub fn workloads_help() -> String {
    let mut s = String::new();
    for d in REGISTRY {
        let sized = if d.once {
            "once"
        } else if d.sized {
            "per size"
        } else {
            "no size"
        };
        let only = if d.ossemu_only { " [ossemu only]" } else { "" };
        s.push_str(&format!("{:<17} {:<9} {}{only}\n", d.name, sized, d.about));
        if let Some(r) = d.reference {
            s.push_str(&format!("  {:<15} reference {}\n", r.name, r.about));
        }
    }
    for (alias, names) in ALIASES {
        s.push_str(&format!("{alias:<17} alias     {}\n", names.join(",")));
    }
    s
}

/// Parses `4096`, `4k`, `4KiB`, `1m`, `64MiB`, `1g` (binary units).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim().to_ascii_lowercase();
    let t = t
        .strip_suffix("ib")
        .or_else(|| t.strip_suffix('b'))
        .unwrap_or(&t);
    let (num, mult) = match t.chars().last() {
        Some('k') => (&t[..t.len() - 1], 1u64 << 10),
        Some('m') => (&t[..t.len() - 1], 1 << 20),
        Some('g') => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    num.trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| format!("size {s:?}: expected e.g. 4096, 4k, 1m, 64MiB"))
}

/// Parses `10s`, `500ms`, `2m`, `1h` or plain seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let err = || format!("duration {s:?}: expected e.g. 10s, 500ms, 2m");
    let (num, unit) = match t.find(|c: char| !(c.is_ascii_digit() || c == '.')) {
        Some(i) => (&t[..i], &t[i..]),
        None => (t, "s"),
    };
    let n: f64 = num.parse().map_err(|_| err())?;
    let secs = match unit {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(err()),
    };
    if !secs.is_finite() || secs <= 0.0 {
        return Err(err());
    }
    Duration::try_from_secs_f64(secs).map_err(|_| err())
}

/// Like [`parse_duration`], but `0`, `0s` and `0ms` are allowed (no delay).
pub fn parse_delay(s: &str) -> Result<Duration, String> {
    match s.trim().trim_end_matches("ms").trim_end_matches('s') {
        "0" => Ok(Duration::ZERO),
        _ => parse_duration(s),
    }
}

fn parse_concurrency(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=4096).contains(&n) => Ok(n),
        _ => Err(format!("concurrency {s:?}: expected 1 to 4096")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4k"), Ok(4096));
        assert_eq!(parse_size("4KiB"), Ok(4096));
        assert_eq!(parse_size("1m"), Ok(1 << 20));
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("1g"), Ok(1 << 30));
        assert_eq!(parse_size("100"), Ok(100));
        assert_eq!(parse_size("100b"), Ok(100));
        assert!(parse_size("x").is_err());
        assert!(parse_size("99999999999999999g").is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("5 parsecs").is_err());
        assert_eq!(parse_delay("0"), Ok(Duration::ZERO));
        assert_eq!(parse_delay("0ms"), Ok(Duration::ZERO));
        assert_eq!(parse_delay("20ms"), Ok(Duration::from_millis(20)));
        assert!(parse_delay("-1s").is_err());
    }

    #[test]
    fn back_to_origin_plan() {
        let cli = Cli::parse_from([
            "ossemu-bench",
            "--workloads",
            "back-to-origin",
            "--sizes",
            "4k,1m",
            "--concurrency",
            "1,8",
        ]);
        let plan = cli.plan().unwrap();
        let names: Vec<_> = plan
            .cells
            .iter()
            .map(|(d, s, c)| format!("{} {s} {c}", d.name))
            .collect();
        // cold, warm: 2 sizes × 2; concurrent: 2 sizes at c1; redirect: 2; mirror-1g: once.
        assert_eq!(names.len(), 2 * 4 + 2 + 2 + 1, "{names:?}");
        assert!(names.contains(&"mirror-concurrent 1048576 1".to_string()));
        assert!(!names.contains(&"mirror-concurrent 1048576 8".to_string()));
        assert_eq!(names.last().map(String::as_str), Some("mirror-1g 0 1"));
        assert_eq!(cli.mirror_large_size, 1 << 30);
        assert_eq!(cli.mirror_fanout, 32);
        assert!(cli.command.is_none());
    }

    #[test]
    fn default_plan_covers_the_matrix() {
        let cli = Cli::parse_from(["ossemu-bench"]);
        let plan = cli.plan().unwrap();
        // put, get, head, delete, mixed: 3 sizes × 3 concurrencies; two listings: 3 each.
        assert_eq!(plan.cells.len(), 5 * 9 + 2 * 3);
        assert_eq!(plan.stop, StopRule::Duration(Duration::from_secs(10)));
        assert_eq!(cli.targets.len(), 1);
    }

    #[test]
    fn quick_plan() {
        let cli = Cli::parse_from(["ossemu-bench", "--quick"]);
        let plan = cli.plan().unwrap();
        assert_eq!(plan.cells.len(), 8);
        assert_eq!(plan.stop, StopRule::Duration(Duration::from_secs(2)));
        let names: Vec<_> = plan
            .cells
            .iter()
            .map(|(d, s, c)| format!("{} {s} {c}", d.name))
            .collect();
        assert_eq!(names[0], "put 4096 1");
        assert_eq!(names[7], "get 1048576 8");
    }

    #[test]
    fn requests_and_aliases() {
        let cli = Cli::parse_from([
            "ossemu-bench",
            "--workloads",
            "list,get",
            "--sizes",
            "4k",
            "--concurrency",
            "2",
            "--requests",
            "50",
        ]);
        let plan = cli.plan().unwrap();
        let names: Vec<_> = plan.cells.iter().map(|(d, _, _)| d.name).collect();
        assert_eq!(names, ["list-flat", "list-delim", "get"]);
        assert_eq!(plan.stop, StopRule::Requests(50));
        let bad = Cli::parse_from(["ossemu-bench", "--workloads", "nope"]);
        assert!(bad.plan().is_err());
    }
}
