//! `card`: themes (basic, poll, modern-inline, prompt) and the fields each requires.

use serde_json::Value;

use crate::button;
use crate::error::{Errors, Path, codes};
use crate::model::{Card, CardField, CardSection, CardTheme, PollOption};
use crate::read::Fields;
use crate::read::{IMAGE_URL, UNLIMITED, array, extras, object, opt_string, req_string};

const TITLE_MAX: usize = 200;
const POLL_OPTIONS_MIN: usize = 2;
const POLL_OPTIONS_MAX: usize = 10;
const POLL_OPTION_MAX: usize = 100;

pub(crate) fn card(v: &Value, path: &Path<'_>, errs: &mut Errors) -> Option<Card> {
    let map = object(v, path, errs)?;
    let mut ok = true;
    let theme = match map.present("theme") {
        None => None,
        Some(Value::String(s)) => match CardTheme::parse(s) {
            Some(t) => Some(t),
            None => {
                errs.push(
                    &path.key("theme"),
                    codes::INVALID_CARD_THEME,
                    format!(
                        "must be one of {} (got {:?})",
                        CardTheme::ALL.join(", "),
                        crate::read::truncate(s, 40)
                    ),
                );
                ok = false;
                None
            }
        },
        Some(other) => {
            crate::read::wrong_type(errs, &path.key("theme"), "a string", other);
            ok = false;
            None
        }
    };
    // The poll and prompt cards have nothing to show without a title; modern-inline and legacy
    // cards may carry only a thumbnail (as in Cliq's own buttons example).
    let title = if matches!(theme, Some(CardTheme::Poll | CardTheme::Prompt)) {
        let t = req_string(map, &["title"], path, TITLE_MAX, errs);
        ok &= t.is_some();
        t
    } else {
        let t = opt_string(map, "title", path, TITLE_MAX, errs);
        ok &= t.is_some() || map.field("title").is_none_or(Value::is_null);
        t
    };
    let mut image = |key: &'static str| -> Option<String> {
        let v = map.present(key)?;
        let r = crate::read::url(v, &path.key(key), UNLIMITED, IMAGE_URL, errs);
        ok &= r.is_some();
        r
    };
    let icon = image("icon");
    let thumbnail = image("thumbnail");

    let mut options = Vec::new();
    if let Some(v) = map.present("options") {
        let opath = path.key("options");
        match poll_options(v, &opath, errs) {
            Some(o) => options = o,
            None => ok = false,
        }
    } else if theme == Some(CardTheme::Poll) {
        errs.push(
            &path.key("options"),
            codes::FIELD_REQUIRED,
            "is required for the poll theme",
        );
        ok = false;
    }

    let mut sections = Vec::new();
    if let Some(v) = map.present("sections") {
        match card_sections(v, &path.key("sections"), errs) {
            Some(s) => sections = s,
            None => ok = false,
        }
    }

    let mut buttons = Vec::new();
    let bpath = path.key("buttons");
    let before = errs.len();
    if let Some(v) = map.present("buttons") {
        buttons = button::buttons(v, &bpath, errs);
        if theme == Some(CardTheme::Prompt) && buttons.is_empty() && errs.len() == before {
            errs.push(
                &bpath,
                codes::TOO_FEW_ITEMS,
                "the prompt theme needs 1 to 5 buttons",
            );
        }
    } else if theme == Some(CardTheme::Prompt) {
        errs.push(
            &bpath,
            codes::FIELD_REQUIRED,
            "the prompt theme needs 1 to 5 buttons",
        );
    }
    ok &= errs.len() == before;

    let extra = extras(
        map,
        &[
            "theme",
            "title",
            "icon",
            "thumbnail",
            "options",
            "sections",
            "buttons",
        ],
    );
    ok.then_some(Card {
        theme,
        title,
        icon,
        thumbnail,
        options,
        sections,
        buttons,
        extra,
    })
}

fn poll_options(v: &Value, path: &Path<'_>, errs: &mut Errors) -> Option<Vec<PollOption>> {
    let items = array(v, path, errs)?;
    let mut ok = true;
    if items.len() < POLL_OPTIONS_MIN {
        errs.push(
            path,
            codes::TOO_FEW_ITEMS,
            format!(
                "a poll needs {POLL_OPTIONS_MIN} to {POLL_OPTIONS_MAX} options (got {})",
                items.len()
            ),
        );
        ok = false;
    } else if items.len() > POLL_OPTIONS_MAX {
        errs.push(
            path,
            codes::ITEM_LIMIT_EXCEEDED,
            format!(
                "a poll allows at most {POLL_OPTIONS_MAX} options (got {})",
                items.len()
            ),
        );
        ok = false;
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let ipath = path.index(i);
        // A bare string is accepted as the option text, as Deluge lists of strings are common.
        let parsed = match item {
            Value::String(t) if t.trim().is_empty() => {
                errs.push(&ipath, codes::FIELD_REQUIRED, "must not be empty");
                None
            }
            Value::String(_) => {
                crate::read::string(item, &ipath, POLL_OPTION_MAX, errs).map(|t| PollOption {
                    text: t,
                    votes: 0,
                    extra: Default::default(),
                })
            }
            _ => object(item, &ipath, errs).and_then(|m| {
                let text = req_string(m, &["text"], &ipath, POLL_OPTION_MAX, errs)?;
                // Votes are counted by the server, never taken from the poster: a posted
                // `votes` is ignored and a new poll starts at zero.
                Some(PollOption {
                    text,
                    votes: 0,
                    extra: extras(m, &["text", "votes"]),
                })
            }),
        };
        match parsed {
            Some(p) => out.push(p),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

fn card_sections(v: &Value, path: &Path<'_>, errs: &mut Errors) -> Option<Vec<CardSection>> {
    let items = array(v, path, errs)?;
    let before = errs.len();
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let spath = path.index(i);
        let Some(m) = object(item, &spath, errs) else {
            continue;
        };
        let title = opt_string(m, "title", &spath, UNLIMITED, errs);
        let fpath = spath.key("fields");
        let mut fields = Vec::new();
        match m.present("fields") {
            None => errs.push(&fpath, codes::FIELD_REQUIRED, "is required"),
            Some(fv) => {
                if let Some(fitems) = array(fv, &fpath, errs) {
                    for (j, f) in fitems.iter().enumerate() {
                        let p = fpath.index(j);
                        let Some(fm) = object(f, &p, errs) else {
                            continue;
                        };
                        let t = req_string(fm, &["title"], &p, UNLIMITED, errs);
                        let val = match fm.present("value") {
                            Some(v) => crate::read::scalar_text(v, &p.key("value"), errs),
                            None => {
                                errs.push(&p.key("value"), codes::FIELD_REQUIRED, "is required");
                                None
                            }
                        };
                        if let (Some(title), Some(value)) = (t, val) {
                            fields.push(CardField {
                                title,
                                value,
                                extra: extras(fm, &["title", "value"]),
                            });
                        }
                    }
                }
            }
        }
        out.push(CardSection {
            title,
            fields,
            extra: extras(m, &["title", "fields"]),
        });
    }
    (errs.len() == before).then_some(out)
}
