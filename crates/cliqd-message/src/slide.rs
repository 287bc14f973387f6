//! `slides`: the slide types and their data shapes and styles, plus the limits across slides.

use serde_json::{Map, Value};

use crate::button;
use crate::error::{Errors, Path, codes};
use crate::model::{ChartPoint, GraphCategory, Slide, SlideData, SlideType};
use crate::read::Fields;
use crate::read::{
    IMAGE_URL, UNLIMITED, array, char_len, extras, int_in, number, object, one_of, opt_string,
    scalar_text, string,
};

pub(crate) const MAX_SLIDES: usize = 20;
pub(crate) const MAX_SLIDE_CHARS: usize = 10_000;
const CHART_MAX_POINTS: usize = 5;
const GRAPH_MAX_VALUES: usize = 20;
const CHART_LABEL_MAX: usize = 20;

const LIST_STYLES: [&str; 8] = [
    "disc",
    "circle",
    "square",
    "decimal",
    "lower-alpha",
    "upper-alpha",
    "lower-roman",
    "upper-roman",
];

/// The `slides` array: each slide validated, then the count and total-size limits.
pub(crate) fn slides(v: &Value, path: &Path<'_>, errs: &mut Errors) -> Vec<Slide> {
    let Some(items) = array(v, path, errs) else {
        return Vec::new();
    };
    if items.len() > MAX_SLIDES {
        errs.push(
            path,
            codes::SLIDE_LIMIT_EXCEEDED,
            format!(
                "at most {MAX_SLIDES} slides are allowed (got {})",
                items.len()
            ),
        );
    }
    let out: Vec<Slide> = items
        .iter()
        .enumerate()
        .filter_map(|(i, s)| slide(s, &path.index(i), errs))
        .collect();
    let total: usize = out.iter().map(slide_chars).sum();
    // One error per field: past the slide limit the size is not reported as well.
    if items.len() <= MAX_SLIDES && total > MAX_SLIDE_CHARS {
        errs.push(
            path,
            codes::SLIDE_CONTENT_LIMIT_EXCEEDED,
            format!("slides may hold at most {MAX_SLIDE_CHARS} characters in total (got {total})"),
        );
    }
    out
}

/// Characters of content in a slide: its title and every string in its data (not JSON syntax,
/// keys like `headers`, or styles).
pub(crate) fn slide_chars(s: &Slide) -> usize {
    let title = s.title.as_deref().map_or(0, char_len);
    let data = match &s.data {
        SlideData::Text(t) => char_len(t),
        SlideData::Table { headers, rows, .. } => {
            headers.iter().map(|h| char_len(h)).sum::<usize>()
                + rows
                    .iter()
                    .flat_map(|r| r.iter())
                    .map(|(_, c)| char_len(c))
                    .sum::<usize>()
        }
        SlideData::List(items) | SlideData::Images(items) => {
            items.iter().map(|i| char_len(i)).sum()
        }
        SlideData::Label(pairs) => pairs.iter().map(|(k, v)| char_len(k) + char_len(v)).sum(),
        SlideData::PercentageChart(points) => points.iter().map(|p| char_len(&p.label)).sum(),
        SlideData::Graph(cats) => cats
            .iter()
            .map(|c| {
                char_len(&c.category) + c.values.iter().map(|p| char_len(&p.label)).sum::<usize>()
            })
            .sum(),
    };
    title + data
}

fn slide(v: &Value, path: &Path<'_>, errs: &mut Errors) -> Option<Slide> {
    let map = object(v, path, errs)?;
    let before = errs.len();
    let type_path = path.key("type");
    let kind = match map.present("type") {
        None => {
            errs.push(&type_path, codes::FIELD_REQUIRED, "is required");
            None
        }
        Some(t) => {
            let s = string(t, &type_path, UNLIMITED, errs);
            match s.as_deref().map(|s| (s, SlideType::parse(s))) {
                Some((_, Some(k))) => Some(k),
                Some((s, None)) => {
                    errs.push(
                        &type_path,
                        codes::INVALID_SLIDE_TYPE,
                        format!(
                            "must be one of {} (got {:?})",
                            SlideType::ALL.join(", "),
                            crate::read::truncate(s, 40)
                        ),
                    );
                    None
                }
                None => None,
            }
        }
    };
    let title = opt_string(map, "title", path, UNLIMITED, errs);
    let buttons = map
        .present("buttons")
        .map(|b| button::buttons(b, &path.key("buttons"), errs))
        .unwrap_or_default();
    let kind = kind?;

    let data_path = path.key("data");
    let Some(data) = map.present("data") else {
        errs.push(&data_path, codes::FIELD_REQUIRED, "is required");
        return None;
    };
    let mut styles = map.present("styles").map(|s| (s, path.key("styles")));
    // The messageformat schema nests a table's styles inside `data`; accept that too.
    let nested_styles = match (kind, data) {
        (SlideType::Table, Value::Object(d)) => d.present("styles"),
        _ => None,
    };
    let nested_path = data_path.key("styles");
    if let Some(ns) = nested_styles {
        if styles.is_some() {
            errs.push(
                &nested_path,
                codes::CONFLICTING_FIELDS,
                "give the table styles either in the slide or in data, not both",
            );
        } else {
            styles = Some((ns, nested_path));
        }
    }

    let data = slide_data(kind, data, &data_path, errs);
    let styles = styles.and_then(|(s, p)| slide_styles(kind, s, &p, data.as_ref(), errs));
    let extra = extras(map, &["type", "title", "data", "styles", "buttons"]);
    if errs.len() != before {
        return None;
    }
    Some(Slide {
        kind,
        title,
        data: data?,
        styles,
        buttons,
        extra,
    })
}

fn non_empty(items: &[Value], path: &Path<'_>, errs: &mut Errors) -> bool {
    if items.is_empty() {
        errs.push(path, codes::TOO_FEW_ITEMS, "must have at least one item");
        return false;
    }
    true
}

fn slide_data(kind: SlideType, v: &Value, path: &Path<'_>, errs: &mut Errors) -> Option<SlideData> {
    match kind {
        SlideType::Text => {
            let t = scalar_text(v, path, errs)?;
            if t.trim().is_empty() {
                errs.push(path, codes::FIELD_REQUIRED, "must not be empty");
                return None;
            }
            Some(SlideData::Text(t))
        }
        SlideType::Table => table(v, path, errs),
        SlideType::List => {
            let items = array(v, path, errs)?;
            non_empty(items, path, errs).then_some(())?;
            let out: Vec<String> = items
                .iter()
                .enumerate()
                .filter_map(|(i, x)| {
                    // A null item is a mistake, not an empty line.
                    if x.is_null() {
                        crate::read::wrong_type(errs, &path.index(i), "a string", x);
                        return None;
                    }
                    scalar_text(x, &path.index(i), errs)
                })
                .collect();
            (out.len() == items.len()).then_some(SlideData::List(out))
        }
        SlideType::Label => label(v, path, errs),
        SlideType::Images => {
            let items = array(v, path, errs)?;
            non_empty(items, path, errs).then_some(())?;
            let out: Vec<String> = items
                .iter()
                .enumerate()
                .filter_map(|(i, x)| {
                    crate::read::url(x, &path.index(i), UNLIMITED, IMAGE_URL, errs)
                })
                .collect();
            (out.len() == items.len()).then_some(SlideData::Images(out))
        }
        SlideType::PercentageChart => {
            let items = array(v, path, errs)?;
            non_empty(items, path, errs).then_some(())?;
            if items.len() > CHART_MAX_POINTS {
                errs.push(
                    path,
                    codes::ITEM_LIMIT_EXCEEDED,
                    format!(
                        "at most {CHART_MAX_POINTS} items are allowed (got {})",
                        items.len()
                    ),
                );
            }
            let out: Vec<ChartPoint> = items
                .iter()
                .enumerate()
                .filter_map(|(i, x)| chart_point(x, &path.index(i), errs))
                .collect();
            (out.len() == items.len()).then_some(SlideData::PercentageChart(out))
        }
        SlideType::Graph => {
            let items = array(v, path, errs)?;
            non_empty(items, path, errs).then_some(())?;
            if items.len() > CHART_MAX_POINTS {
                errs.push(
                    path,
                    codes::ITEM_LIMIT_EXCEEDED,
                    format!(
                        "at most {CHART_MAX_POINTS} categories are allowed (got {})",
                        items.len()
                    ),
                );
            }
            let out: Vec<GraphCategory> = items
                .iter()
                .enumerate()
                .filter_map(|(i, x)| graph_category(x, &path.index(i), errs))
                .collect();
            (out.len() == items.len()).then_some(SlideData::Graph(out))
        }
    }
}

fn table(v: &Value, path: &Path<'_>, errs: &mut Errors) -> Option<SlideData> {
    let map = object(v, path, errs)?;
    let before = errs.len();
    let hpath = path.key("headers");
    let mut headers = Vec::new();
    match map.present("headers") {
        None => errs.push(&hpath, codes::FIELD_REQUIRED, "is required"),
        Some(h) => {
            if let Some(items) = array(h, &hpath, errs)
                && non_empty(items, &hpath, errs)
            {
                for (i, x) in items.iter().enumerate() {
                    let p = hpath.index(i);
                    let Some(name) = scalar_text(x, &p, errs) else {
                        continue;
                    };
                    if name.trim().is_empty() {
                        errs.push(&p, codes::FIELD_REQUIRED, "column names must not be empty");
                    } else if headers.contains(&name) {
                        errs.push(
                            &p,
                            codes::INVALID_TABLE_DATA,
                            format!(
                                "column {:?} appears twice",
                                crate::read::truncate(&name, 40)
                            ),
                        );
                    } else {
                        headers.push(name);
                    }
                }
            }
        }
    }
    let rpath = path.key("rows");
    let mut rows = Vec::new();
    if let Some(r) = map.present("rows")
        && let Some(items) = array(r, &rpath, errs)
    {
        for (i, row) in items.iter().enumerate() {
            let p = rpath.index(i);
            let Some(rm) = object(row, &p, errs) else {
                continue;
            };
            let mut cells = Vec::with_capacity(rm.len());
            for (k, cell) in rm {
                let cp = p.key(k);
                // Unknown columns are only reportable when the headers themselves were valid.
                if errs.len() == before && !headers.contains(k) {
                    errs.push(
                        &cp,
                        codes::INVALID_TABLE_DATA,
                        format!(
                            "row key {:?} is not one of the headers",
                            crate::read::truncate(k, 40)
                        ),
                    );
                    continue;
                }
                if let Some(text) = scalar_text(cell, &cp, errs) {
                    cells.push((k.clone(), text));
                }
            }
            rows.push(cells);
        }
    }
    (errs.len() == before).then_some(SlideData::Table { headers, rows })
}

fn label(v: &Value, path: &Path<'_>, errs: &mut Errors) -> Option<SlideData> {
    let items = array(v, path, errs)?;
    non_empty(items, path, errs).then_some(())?;
    let before = errs.len();
    let mut pairs = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = path.index(i);
        let Some(m) = object(item, &p, errs) else {
            continue;
        };
        // Two spellings (Zoho's pages disagree): `{"label":"Growth","value":"25%"}` and `{"Growth":"25%"}`.
        let is_pair = m.len() == 2 && m.contains_key("label") && m.contains_key("value");
        if is_pair {
            let l = m
                .field("label")
                .and_then(|l| scalar_text(l, &p.key("label"), errs));
            let val = m
                .field("value")
                .and_then(|x| scalar_text(x, &p.key("value"), errs));
            match (l, val) {
                (Some(l), Some(val)) if !l.trim().is_empty() => pairs.push((l, val)),
                (Some(_), Some(_)) => {
                    errs.push(&p.key("label"), codes::FIELD_REQUIRED, "must not be empty")
                }
                _ => {}
            }
            continue;
        }
        if m.is_empty() {
            errs.push(
                &p,
                codes::FIELD_REQUIRED,
                "a label item needs a key and a value",
            );
            continue;
        }
        // A map with several keys is several labels, in order (Deluge maps often look so).
        for (k, x) in m {
            if let Some(val) = scalar_text(x, &p.key(k), errs) {
                pairs.push((k.clone(), val));
            }
        }
    }
    (errs.len() == before).then_some(SlideData::Label(pairs))
}

fn chart_point(v: &Value, path: &Path<'_>, errs: &mut Errors) -> Option<ChartPoint> {
    let m = object(v, path, errs)?;
    let label = crate::read::req_string(m, &["label"], path, CHART_LABEL_MAX, errs);
    let value = match m.present("value") {
        Some(x) => number(x, &path.key("value"), errs),
        None => {
            errs.push(&path.key("value"), codes::FIELD_REQUIRED, "is required");
            None
        }
    };
    Some(ChartPoint {
        label: label?,
        value: value?,
    })
}

fn graph_category(v: &Value, path: &Path<'_>, errs: &mut Errors) -> Option<GraphCategory> {
    let m = object(v, path, errs)?;
    let category = crate::read::req_string(m, &["category"], path, CHART_LABEL_MAX, errs);
    let vpath = path.key("values");
    let values = match m.present("values") {
        None => {
            errs.push(&vpath, codes::FIELD_REQUIRED, "is required");
            None
        }
        Some(x) => array(x, &vpath, errs).and_then(|items| {
            if items.len() > GRAPH_MAX_VALUES {
                errs.push(
                    &vpath,
                    codes::ITEM_LIMIT_EXCEEDED,
                    format!(
                        "at most {GRAPH_MAX_VALUES} values are allowed (got {})",
                        items.len()
                    ),
                );
            }
            let out: Vec<ChartPoint> = items
                .iter()
                .enumerate()
                .filter_map(|(i, p)| chart_point(p, &vpath.index(i), errs))
                .collect();
            (out.len() == items.len()).then_some(out)
        }),
    };
    Some(GraphCategory {
        category: category?,
        values: values?,
    })
}

fn slide_styles(
    kind: SlideType,
    v: &Value,
    path: &Path<'_>,
    data: Option<&SlideData>,
    errs: &mut Errors,
) -> Option<Map<String, Value>> {
    let map = object(v, path, errs)?;
    let mut out = map.clone();
    match kind {
        SlideType::Table => {
            let columns = match data {
                Some(SlideData::Table { headers, .. }) => Some(headers.len()),
                _ => None,
            };
            if let Some(w) = map.present("width") {
                table_width(w, &path.key("width"), columns, errs);
            }
            if let Some(s) = map.present("sticky") {
                let sp = path.key("sticky");
                if let Some(sm) = object(s, &sp, errs) {
                    for key in ["rows", "columns"] {
                        if let Some(n) = sm.present(key) {
                            int_in(n, &sp.key(key), 0, 2, errs);
                        }
                    }
                }
            }
        }
        SlideType::List => {
            if let Some(t) = map.present("type") {
                let tp = path.key("type");
                // One of Cliq's own examples says "bulleted": the default disc bullets.
                if t.as_str() == Some("bulleted") {
                    out.insert("type".into(), Value::String("disc".into()));
                } else {
                    one_of(t, &tp, &LIST_STYLES, codes::INVALID_FIELD_VALUE, errs);
                }
            }
        }
        SlideType::PercentageChart => {
            if let Some(p) = map.present("preview") {
                one_of(
                    p,
                    &path.key("preview"),
                    &["pie", "doughnut", "semi_doughnut"],
                    codes::INVALID_FIELD_VALUE,
                    errs,
                );
            }
        }
        SlideType::Graph => {
            if let Some(p) = map.present("preview") {
                one_of(
                    p,
                    &path.key("preview"),
                    &["vertical_bar", "vertical_stacked_bar", "trend"],
                    codes::INVALID_FIELD_VALUE,
                    errs,
                );
            }
            for key in ["x_axis", "y_axis"] {
                opt_string(map, key, path, CHART_LABEL_MAX, errs);
            }
        }
        SlideType::Text | SlideType::Label | SlideType::Images => {}
    }
    Some(out)
}

fn table_width(v: &Value, path: &Path<'_>, columns: Option<usize>, errs: &mut Errors) {
    let Some(items) = array(v, path, errs) else {
        return;
    };
    let before = errs.len();
    let mut sum = 0u64;
    for (i, x) in items.iter().enumerate() {
        if let Some(n) = int_in(x, &path.index(i), 1, 100, errs) {
            sum += n;
        }
    }
    if errs.len() != before {
        return;
    }
    if let Some(cols) = columns
        && cols != items.len()
    {
        errs.push(
            path,
            codes::INVALID_FIELD_VALUE,
            format!(
                "needs one width per column: {cols} columns, {} widths",
                items.len()
            ),
        );
        return;
    }
    if sum != 100 {
        errs.push(
            path,
            codes::INVALID_FIELD_VALUE,
            format!("column widths must add up to 100 (got {sum})"),
        );
    }
}
