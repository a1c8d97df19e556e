//! Charts drawn as SVG on the server: visible with JavaScript off, sharp on a phone, each
//! with a title and a description for screen readers. The same components draw the
//! questionnaire results.

use leptos::prelude::*;

/// A half-circle gauge for a rate of `num` in `den`; "—" when there is nothing to measure.
#[component]
pub fn Gauge(id: String, title: String, num: u32, den: u32) -> impl IntoView {
    let p = (den > 0).then(|| 100.0 * num as f64 / den as f64);
    let label = p.map(|p| format!("{p:.1}%")).unwrap_or_else(|| "—".to_string());
    let desc = format!("{title}: {label} ({num}/{den})");
    let arc = p.filter(|p| *p > 0.0).map(|p| {
        let angle = std::f64::consts::PI * (1.0 - p / 100.0);
        let (x, y) = (60.0 + 50.0 * angle.cos(), 60.0 - 50.0 * angle.sin());
        format!("M 10 60 A 50 50 0 0 1 {x:.2} {y:.2}")
    });
    let tone = match p {
        Some(p) if p >= 90.0 => "good",
        Some(p) if p >= 75.0 => "fair",
        Some(_) => "poor",
        None => "none",
    };
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let labelled = format!("{title_id} {desc_id}");
    view! {
        <svg class=format!("gauge {tone}") viewBox="0 0 120 72" role="img" aria-labelledby=labelled>
            <title id=title_id>{title}</title>
            <desc id=desc_id>{desc}</desc>
            <path class="gauge-track" d="M 10 60 A 50 50 0 0 1 110 60" fill="none" stroke-width="12" />
            {arc.map(|d| view! { <path class="gauge-value" d=d fill="none" stroke-width="12" /> })}
            <text x="60" y="58" text-anchor="middle" class="gauge-label">{label}</text>
        </svg>
    }
}

/// As much of a label as fits the bar chart's label column: `width` units, a Chinese
/// character counting two, other characters one; "…" when cut.
pub fn fit(label: &str, width: usize) -> String {
    let mut used = 0;
    let mut out = String::new();
    for c in label.chars() {
        let w = if c.is_ascii() { 1 } else { 2 };
        if used + w > width {
            out.push('…');
            return out;
        }
        used += w;
        out.push(c);
    }
    out
}

/// Horizontal bars: one line per label, the count (and share) at the end.
#[component]
pub fn BarChart(
    id: String,
    title: String,
    bars: Vec<(String, u32)>,
    #[prop(optional)] percent_of: Option<u32>,
) -> impl IntoView {
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1) as f64;
    let row = 26.0;
    let height = (bars.len() as f64 * row).max(row) + 4.0;
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let labelled = format!("{title_id} {desc_id}");
    let share = move |n: u32| match percent_of {
        Some(total) if total > 0 => format!("{n}（{:.0}%）", 100.0 * n as f64 / total as f64),
        _ => n.to_string(),
    };
    let desc = bars.iter().map(|(l, n)| format!("{l} {}", share(*n))).collect::<Vec<_>>().join("；");
    view! {
        <svg class="bars" viewBox=format!("0 0 340 {height}") role="img" aria-labelledby=labelled>
            <title id=title_id>{title}</title>
            <desc id=desc_id>{desc}</desc>
            {bars
                .into_iter()
                .enumerate()
                .map(|(k, (label, n))| {
                    let y = k as f64 * row + 2.0;
                    let w = 150.0 * n as f64 / max;
                    let short = fit(&label, 18);
                    view! {
                        <g class="bar">
                            <text x="0" y=format!("{:.1}", y + 17.0) class="bar-label">{short}</text>
                            <rect x="120" y=format!("{y:.1}") width=format!("{w:.1}") height="20" rx="3" />
                            <text x=format!("{:.1}", 126.0 + w) y=format!("{:.1}", y + 15.0) class="bar-value">{share(n)}</text>
                        </g>
                    }
                })
                .collect_view()}
        </svg>
    }
}

/// A line over weeks (or any sequence); every third label on the axis.
#[component]
pub fn LineChart(id: String, title: String, points: Vec<(String, u32)>) -> impl IntoView {
    let (w, h, left, bottom, top) = (340.0, 150.0, 28.0, 24.0, 14.0);
    let max = points.iter().map(|p| p.1).max().unwrap_or(0).max(1) as f64;
    let n = points.len().max(2) as f64;
    // Room on the right for the last label, centred on its point.
    let x = move |k: usize| left + (w - left - 22.0) * k as f64 / (n - 1.0);
    let y = move |v: u32| top + (h - top - bottom) * (1.0 - v as f64 / max);
    let line =
        points.iter().enumerate().map(|(k, p)| format!("{:.1},{:.1}", x(k), y(p.1))).collect::<Vec<_>>().join(" ");
    let desc = points.iter().map(|(l, v)| format!("{l}: {v}")).collect::<Vec<_>>().join("；");
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let labelled = format!("{title_id} {desc_id}");
    let last = points.len().saturating_sub(1);
    view! {
        <svg class="line" viewBox=format!("0 0 {w} {h}") role="img" aria-labelledby=labelled>
            <title id=title_id>{title}</title>
            <desc id=desc_id>{desc}</desc>
            <line class="axis" x1=left y1=h - bottom x2=w - 10.0 y2=h - bottom />
            <text x="0" y=format!("{:.1}", top + 4.0) class="axis-label">{max as u32}</text>
            <text x="0" y=format!("{:.1}", h - bottom) class="axis-label">"0"</text>
            <polyline points=line fill="none" class="line-path" stroke-width="2.5" />
            {points
                .into_iter()
                .enumerate()
                .map(|(k, (label, v))| {
                    let show = k % 3 == last % 3;
                    view! {
                        <circle cx=format!("{:.1}", x(k)) cy=format!("{:.1}", y(v)) r="3" class="line-dot" />
                        {show.then(|| view! {
                            <text x=format!("{:.1}", x(k)) y=format!("{:.1}", h - 6.0) text-anchor="middle" class="axis-label">{label}</text>
                        })}
                    }
                })
                .collect_view()}
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn labels_fit_by_width() {
        assert_eq!(fit("Grid area 3", 18), "Grid area 3");
        assert_eq!(fit("Very satisfied", 18), "Very satisfied");
        assert_eq!(fit("Other (not in the menu)", 18), "Other (not in the …");
        assert_eq!(fit("其他（不在服务菜单中）", 18), "其他（不在服务菜单…");
        assert_eq!(fit("政务服务", 18), "政务服务");
    }
}
