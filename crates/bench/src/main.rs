//! The `ossemu-bench` binary: parses the command line, opens the targets, runs every cell on
//! every target in turn, prints the table and writes the JSON record.

use std::collections::BTreeSet;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use ossemu_bench::body::Payloads;
use ossemu_bench::cli::{Cli, Command, workloads_help};
use ossemu_bench::report::{self, Machine, cell_label};
use ossemu_bench::runner::{self, CellResult};
use ossemu_bench::target::{Location, Target, TargetDefaults, default_ossemu_bin};
use ossemu_bench::workload::{Setup, StopRule};

fn main() -> anyhow::Result<ExitCode> {
    let mut cli = Cli::parse();
    if cli.list_workloads {
        print!("{}", workloads_help());
        return Ok(ExitCode::SUCCESS);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    if let Some(Command::Startup(args)) = cli.command.take() {
        runtime.block_on(ossemu_bench::startup::run(args))?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(Command::Drill(d)) = cli.command.take() {
        // A drill prints its own verdict line; Ctrl-C is a failure (its servers are killed
        // when dropped).
        let name = d.drill.name();
        return Ok(runtime.block_on(async {
            tokio::select! {
                code = ossemu_bench::drill::run(d.drill) => code,
                _ = tokio::signal::ctrl_c() => {
                    println!("DRILL {name}: FAIL (interrupted)");
                    ExitCode::from(130)
                }
            }
        }));
    }
    runtime.block_on(async {
        // Dropping `run` on Ctrl-C drops the targets, which stops the ossemu it started
        // and removes its temporary data directory.
        tokio::select! {
            r = run(cli) => r.map(|()| ExitCode::SUCCESS),
            _ = tokio::signal::ctrl_c() => {
                eprintln!("interrupted");
                Ok(ExitCode::from(130))
            }
        }
    })
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let plan = cli.plan()?;
    let mut specs = cli.targets.clone();
    if let Some(pid) = cli.pid {
        let mut urls = specs
            .iter_mut()
            .filter(|s| matches!(s.location, Location::Url(_)));
        match (urls.next(), urls.next()) {
            (Some(s), None) => s.pid = s.pid.or(Some(pid)),
            _ => anyhow::bail!("--pid needs exactly one URL target; use pid= in each spec"),
        }
    }
    let defaults = TargetDefaults {
        ossemu_bin: cli.ossemu_bin.clone().unwrap_or_else(default_ossemu_bin),
        ossemu_args: cli.ossemu_args.clone(),
        ossemu_log: cli.ossemu_log.clone(),
        access_key: cli.access_key.clone(),
        secret_key: cli.secret_key.clone(),
        anonymous: cli.anonymous,
        region: cli.region.clone(),
    };

    let sizes: BTreeSet<u64> = plan.cells.iter().map(|&(_, s, _)| s).collect();
    eprintln!("generating payloads: {sizes:?} bytes");
    let payloads = Arc::new(Payloads::generate(sizes.iter().copied())?);

    let started_at = chrono::Utc::now();
    let stamp = started_at.format("%Y%m%d-%H%M%S");
    let mut targets: Vec<Target> = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let bucket = format!("bench-{stamp}-{i}");
        let mut t = Target::open(spec, &defaults, bucket, payloads.clone())
            .await
            .with_context(|| format!("opening target #{}", i + 1))?;
        if targets.iter().any(|o| o.name == t.name) {
            t.name = format!("{}#{}", t.name, i + 1);
        }
        eprintln!(
            "target {}: {} bucket {} pid {}{}",
            t.name,
            t.endpoint,
            t.cx.bucket,
            t.pid.map_or("-".to_owned(), |p| p.to_string()),
            t.server
                .as_ref()
                .map(|s| format!(" data {}", s.data_dir().display()))
                .unwrap_or_default(),
        );
        targets.push(t);
    }
    let names: Vec<String> = targets.iter().map(|t| t.name.clone()).collect();

    let clk_tck = ossemu_bench::metrics::clock_ticks_per_sec();
    let mut results: Vec<CellResult> = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    eprintln!("{}", report::HEADER);
    for &(def, size, concurrency) in &plan.cells {
        let stop = if def.once {
            StopRule::Requests(1)
        } else {
            plan.stop
        };
        for target in &targets {
            if def.ossemu_only && !target.cx.is_ossemu {
                let why = format!(
                    "{} skipped on {}: back-to-origin workloads run only against ossemu \
                     (`--target ossemu`, or a URL target with the `ossemu` option)",
                    def.name, target.name
                );
                if !skipped.contains(&why) {
                    eprintln!("{why}");
                    skipped.push(why);
                }
                continue;
            }
            let setup = Setup {
                size,
                concurrency,
                payload: payloads.get(size)?,
                stop,
                fixture_objects: plan.fixture_objects,
                list_keys: cli.list_keys,
                origin: ossemu_bench::origin::OriginConfig {
                    latency: cli.origin_latency,
                    ..Default::default()
                },
                mirror_fanout: cli.mirror_fanout,
                mirror_large_size: cli.mirror_large_size,
            };
            let mut runs = vec![(def.name, (def.build)(&setup))];
            if let Some(reference) = def.reference {
                runs.push((reference.name, (reference.build)(&setup)));
            }
            for (name, workload) in runs {
                let r = runner::run_cell(
                    target,
                    Arc::from(workload),
                    (name, size, concurrency),
                    stop,
                    cli.timeout,
                    clk_tck,
                )
                .await
                .with_context(|| {
                    format!("{} on {}", cell_label(name, size, concurrency), target.name)
                })?;
                eprintln!("{}", report::row(&r));
                if let Some(why) = &r.invalid {
                    eprintln!("  {why}");
                }
                results.push(r);
            }
        }
    }

    println!();
    println!("{}", report::table(&results, &names));
    let back = report::back_to_origin_table(&results);
    if !back.is_empty() {
        println!("{back}");
    }
    for why in &skipped {
        println!("{why}");
    }

    if let Some(path) = &cli.json {
        let doc = serde_json::json!({
            "tool": "ossemu-bench",
            "version": env!("CARGO_PKG_VERSION"),
            "started_at": started_at.to_rfc3339(),
            "finished_at": chrono::Utc::now().to_rfc3339(),
            "machine": Machine::detect(),
            "settings": {
                "stop": match plan.stop {
                    StopRule::Duration(d) => serde_json::json!({ "duration_s": d.as_secs_f64() }),
                    StopRule::Requests(n) => serde_json::json!({ "requests": n }),
                },
                "quick": cli.quick,
                "fixture_objects": plan.fixture_objects,
                "list_keys": cli.list_keys,
                "op_timeout_s": cli.timeout.as_secs_f64(),
                "ossemu_log": cli.ossemu_log,
                "ossemu_args": cli.ossemu_args,
                "origin_latency_s": cli.origin_latency.as_secs_f64(),
                "mirror_fanout": cli.mirror_fanout,
                "mirror_large_size": cli.mirror_large_size,
            },
            "targets": targets.iter().map(|t| serde_json::json!({
                "name": t.name,
                "endpoint": t.endpoint,
                "pid": t.pid,
                "bucket": t.cx.bucket,
                "started_by_tool": t.server.is_some(),
            })).collect::<Vec<_>>(),
            "cells": results,
            "ratios": report::ratios(&results, &names),
            "pairs": report::pairs(&results),
            "skipped": skipped,
        });
        let text = serde_json::to_string_pretty(&doc)?;
        std::fs::write(path, text + "\n").with_context(|| format!("writing {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}
