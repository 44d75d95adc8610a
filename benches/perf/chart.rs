//! docs/performance.png: wall time of every scenario relative to S0, per
//! workload, median with its 95 % interval, on a log scale (ratios compose
//! multiplicatively, and S1 ≈ 1.0× and S4 ≈ 10× must both be readable).
//!
//! Drawn with the vendored `criterion-plot`, which builds the gnuplot script
//! and data. Its only terminal is SVG (`Terminal::Svg` → `set terminal svg
//! dynamic`), so the runner takes the script through `Figure::dump` and
//! swaps that one `set terminal` line for gnuplot's own `pngcairo` before
//! piping it to `gnuplot`: everything else — bars, error bars, axes, key —
//! is criterion-plot's. Needs `gnuplot` with the cairo terminals
//! (Debian: `gnuplot-nox`).

use crate::scenario::{Profiler, Scenario, Workload};
use crate::summary::Row;
use criterion_plot::prelude::*;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Okabe–Ito colours, distinguishable with colour-vision deficiencies.
const COLORS: [(u8, u8, u8); 6] = [
    (0, 114, 178),
    (230, 159, 0),
    (0, 158, 115),
    (204, 121, 167),
    (86, 180, 233),
    (213, 94, 0),
];

/// Scenarios on the x axis (S0 is the reference, 1.0 by definition).
const SHOWN: [Scenario; 5] = [
    Scenario::S1,
    Scenario::S2,
    Scenario::S2Orig,
    Scenario::S3,
    Scenario::S4,
];

struct Series {
    label: String,
    /// (x centre, median ratio, low, high)
    bars: Vec<(f64, f64, f64, f64)>,
}

fn series(rows: &[Row], workloads: &[Workload], with_original: bool) -> Vec<Series> {
    let mut groups: Vec<(Workload, Profiler)> = Vec::new();
    for &w in workloads {
        groups.push((w, Profiler::Ours));
        if with_original {
            groups.push((w, Profiler::Original));
        }
    }
    let width = 0.8 / groups.len() as f64;
    let mut out = Vec::new();
    for (j, &(workload, profiler)) in groups.iter().enumerate() {
        let s0 = rows.iter().find(|r| {
            r.variant.workload == workload
                && r.variant.scenario == Scenario::S0
                && r.variant.profiler == Profiler::Ours
        });
        let Some(s0) = s0 else { continue };
        let base = s0.wall.median;
        let mut bars = Vec::new();
        for (g, &scenario) in SHOWN.iter().enumerate() {
            let row = rows.iter().find(|r| {
                r.variant.workload == workload
                    && r.variant.scenario == scenario
                    && r.variant.profiler == profiler
            });
            if let Some(row) = row {
                let x = g as f64 + (j as f64 - (groups.len() as f64 - 1.0) / 2.0) * width;
                bars.push((
                    x,
                    row.wall.median / base,
                    row.wall.ci.low / base,
                    row.wall.ci.high / base,
                ));
            }
        }
        let label = match profiler {
            Profiler::Ours => workload.key(),
            Profiler::Original => format!("{} (original)", workload.key()),
            Profiler::Empty => format!("{} (empty profiler)", workload.key()),
        };
        out.push(Series { label, bars });
    }
    out
}

/// Builds the figure and writes `output` (PNG).
pub fn draw(
    rows: &[Row],
    workloads: &[Workload],
    with_original: bool,
    output: &Path,
) -> Result<(), String> {
    let series = series(rows, workloads, with_original);
    let width = 0.8 / series.len().max(1) as f64 * 0.9;
    let top = series
        .iter()
        .flat_map(|s| s.bars.iter().map(|b| b.3))
        .fold(2.0f64, f64::max);
    let bottom = series
        .iter()
        .flat_map(|s| s.bars.iter().map(|b| b.2))
        .fold(0.8f64, f64::min);

    let mut figure = Figure::new();
    figure
        .set(Font("Helvetica"))
        .set(FontSize(11.0))
        .set(Size(1200, 650))
        .set(Output(output.to_path_buf()))
        .set(Title(
            "Wall time relative to the profiler off (S0): median, whiskers = 95% CI of the median; log scale",
        ))
        .configure(Axis::BottomX, |a| {
            a.set(Range::Limits(-0.5, SHOWN.len() as f64 - 0.5))
                .set(TicLabels {
                    positions: (0..SHOWN.len()).map(|i| i as f64).collect::<Vec<_>>(),
                    labels: SHOWN.iter().map(|s| s.name()).collect::<Vec<_>>(),
                })
                .set(Label("scenario"))
        })
        .configure(Axis::LeftY, |a| {
            let (low, high) = (bottom * 0.9, top * 1.3);
            let tics: Vec<f64> = [0.5, 0.7, 1.0, 1.5, 2.0, 3.0, 5.0, 7.0, 10.0, 15.0, 20.0, 30.0, 50.0, 100.0]
                .into_iter()
                .filter(|t| (low..=high).contains(t))
                .collect();
            a.set(Scale::Logarithmic)
                .set(Range::Limits(low, high))
                .set(TicLabels {
                    labels: tics.iter().map(|t| format!("{t}×")).collect::<Vec<_>>(),
                    positions: tics,
                })
                .set(Label("wall time / S0 wall time"))
                .configure(Grid::Major, |g| g.show())
        })
        .configure(Key, |k| {
            k.set(Position::Inside(Vertical::Top, Horizontal::Left))
                .set(Boxed::Yes)
        });
    for (i, s) in series.iter().enumerate() {
        let (r, g, b) = COLORS[i % COLORS.len()];
        // One filled outline per series: each bar rises from 1.0 (S0) to
        // its ratio, and the outline returns to 1.0 between bars.
        let mut xs = Vec::new();
        let mut lows = Vec::new();
        let mut highs = Vec::new();
        for &(x, y, _, _) in &s.bars {
            for (px, py) in [
                (x - width / 2.0, 1.0),
                (x - width / 2.0, y),
                (x + width / 2.0, y),
                (x + width / 2.0, 1.0),
            ] {
                xs.push(px);
                lows.push(1.0);
                highs.push(py);
            }
        }
        let label = s.label.clone();
        figure.plot(
            FilledCurve {
                x: xs,
                y1: lows,
                y2: highs,
            },
            |p| {
                p.set(Color::Rgb(r, g, b))
                    .set(Opacity(0.85))
                    .set(Label(label))
            },
        );
        figure.plot(
            YErrorBars {
                x: s.bars.iter().map(|b| b.0).collect::<Vec<_>>(),
                y: s.bars.iter().map(|b| b.1).collect::<Vec<_>>(),
                y_low: s.bars.iter().map(|b| b.2).collect::<Vec<_>>(),
                y_high: s.bars.iter().map(|b| b.3).collect::<Vec<_>>(),
            },
            |e| {
                e.set(Color::Black)
                    .set(LineWidth(1.0))
                    .set(PointType::Circle)
                    .set(PointSize(0.3))
            },
        );
    }
    figure.plot(
        Lines {
            x: [-0.5, SHOWN.len() as f64 - 0.5],
            y: [1.0, 1.0],
        },
        |l| l.set(Color::Gray).set(LineType::Dash).set(Label("S0")),
    );

    let mut script = Vec::new();
    figure
        .dump(&mut script)
        .map_err(|e| format!("chart script: {e}"))?;
    let script = to_png_terminal(script)?;
    let mut gnuplot = Command::new("gnuplot")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            format!("gnuplot is needed for the chart (Debian: apt-get install gnuplot-nox): {e}")
        })?;
    gnuplot
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(&script)
        .map_err(|e| format!("gnuplot stdin: {e}"))?;
    let out = gnuplot
        .wait_with_output()
        .map_err(|e| format!("gnuplot: {e}"))?;
    if !out.status.success() || !output.is_file() {
        return Err(format!(
            "gnuplot failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

/// Whether `gnuplot` with the cairo terminals is there, checked before any
/// measurement so a long run never ends without its chart by surprise.
pub fn check_gnuplot() -> Result<(), String> {
    let out = Command::new("gnuplot")
        .args(["-e", "set terminal pngcairo"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            format!("gnuplot is not installed ({e}); Debian: apt-get install gnuplot-nox")
        })?;
    if out.status.success() && out.stderr.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "gnuplot has no pngcairo terminal ({}); Debian: apt-get install gnuplot-nox",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// Swaps criterion-plot's `set terminal svg dynamic` for `pngcairo`.
fn to_png_terminal(mut script: Vec<u8>) -> Result<Vec<u8>, String> {
    const SVG: &[u8] = b"set terminal svg dynamic";
    const PNG: &[u8] = b"set terminal pngcairo";
    let at = script
        .windows(SVG.len())
        .position(|w| w == SVG)
        .ok_or("criterion-plot's script has no `set terminal svg dynamic` line to replace")?;
    script.splice(at..at + SVG.len(), PNG.iter().copied());
    Ok(script)
}
