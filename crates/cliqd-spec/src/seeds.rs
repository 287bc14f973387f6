//! The seed pages (text renderings of Zoho's API reference pages): per endpoint, the method and
//! URL of the curl sample, the OAuth scope line and the error-code table.

use std::path::{Path, PathBuf};

use crate::SpecError;
use crate::errors_table::ErrorCode;

/// One endpoint section of a seed page.
#[derive(Debug, Clone)]
pub struct SeedEndpoint {
    /// The section heading, which is the operation summary in the OpenAPI document.
    pub summary: String,
    /// Upper-case method of the curl sample.
    pub method: Option<String>,
    /// The curl sample's URL, e.g. `https://cliq.zoho.com/api/v3/bots?x=1`.
    pub url: Option<String>,
    /// Scopes from the "OAuth Scope :" line (comma-separated there).
    pub scopes: Vec<String>,
    pub error_codes: Vec<ErrorCode>,
    /// The JSON body of the curl sample (`--data '…'`), when it has one that parses.
    pub sample_body: Option<serde_json::Value>,
}

impl SeedEndpoint {
    /// Whether the sample body is the page generator's placeholder (`{"field1":"value1",…}`).
    pub fn sample_is_placeholder(&self) -> bool {
        self.sample_body
            .as_ref()
            .is_some_and(|b| b.get("field1").is_some())
    }

    /// The URL path below `/api/v3` (or `/api/v2`), without the query string.
    pub fn api_path(&self) -> Option<&str> {
        let url = self.url.as_deref()?;
        let start = url.find("/api/v")?;
        let after = &url[start + "/api/v".len()..];
        let slash = after.find('/')?;
        let path = &after[slash..];
        Some(path.split('?').next().unwrap_or(path))
    }

    /// Names of the query parameters of the curl sample.
    pub fn query_names(&self) -> Vec<String> {
        let Some(query) = self
            .url
            .as_deref()
            .and_then(|u| u.split_once('?'))
            .map(|x| x.1)
        else {
            return Vec::new();
        };
        query
            .split('&')
            .filter_map(|kv| kv.split('=').next())
            .filter(|k| !k.is_empty())
            .map(str::to_string)
            .collect()
    }
}

/// One seed page.
#[derive(Debug, Clone)]
pub struct SeedPage {
    pub file: PathBuf,
    /// The page title (first line), e.g. `Message Actions`.
    pub title: String,
    pub endpoints: Vec<SeedEndpoint>,
}

impl SeedPage {
    /// The OpenAPI document this page renders, when there is one (the Messages page is v2 and
    /// has no OpenAPI document).
    pub fn document(&self) -> Option<&'static str> {
        Some(match self.title.as_str() {
            "Functions" => "functions",
            "Bots" => "bots",
            "Message Actions" => "messageactions",
            "Extensions" => "extensions",
            _ => return None,
        })
    }
}

/// Loads every `*.txt` seed page of `dir`, sorted by file name.
pub fn load_seed_pages(dir: &Path) -> Result<Vec<SeedPage>, SpecError> {
    let io = |source| SpecError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if path.extension().and_then(|e| e.to_str()) == Some("txt") {
            files.push(path);
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file).map_err(|source| SpecError::Io {
                path: file.clone(),
                source,
            })?;
            Ok(parse_seed_page(&file, &text))
        })
        .collect()
}

fn parse_seed_page(file: &Path, text: &str) -> SeedPage {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let title = lines.first().copied().unwrap_or_default().to_string();
    // Every section starts with its heading followed by "AI Tools" (same line or next line).
    let mut starts = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if *line == "AI Tools" {
            if let Some(prev) = lines[..i].iter().rposition(|l| !l.is_empty()) {
                starts.push((i, lines[prev].to_string()));
            }
        } else if let Some(head) = line.strip_suffix(" AI Tools") {
            starts.push((i, head.to_string()));
        }
    }
    let mut endpoints = Vec::new();
    // The first section is the page itself.
    for (n, (start, summary)) in starts.iter().enumerate().skip(1) {
        let end = starts.get(n + 1).map_or(lines.len(), |s| s.0);
        let section = &lines[*start..end];
        let (method, url) = curl_sample(section);
        let sample_body = curl_data(section);
        endpoints.push(SeedEndpoint {
            sample_body,
            summary: summary.clone(),
            method,
            url,
            scopes: scopes(section),
            error_codes: error_codes(section),
        });
    }
    SeedPage {
        file: file.to_path_buf(),
        title,
        endpoints,
    }
}

fn curl_sample(section: &[&str]) -> (Option<String>, Option<String>) {
    let Some(i) = section.iter().position(|l| l.starts_with("curl --request")) else {
        return (None, None);
    };
    // Some pages keep the whole command on one line, others break it after each option.
    let joined = section[i..section.len().min(i + 3)].join(" ");
    let token_after = |flag: &str| {
        joined
            .split(flag)
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .map(|t| t.trim_matches(['\'', '"']).to_string())
    };
    (token_after("--request "), token_after("--url "))
}

fn curl_data(section: &[&str]) -> Option<serde_json::Value> {
    let i = section
        .iter()
        .position(|l| l.starts_with("curl --request"))?;
    // The command ends at the first line that does not continue with a backslash.
    let end = section[i..]
        .iter()
        .position(|l| !l.ends_with('\\'))
        .map_or(section.len(), |n| i + n + 1);
    let joined = section[i..end].join(" ");
    let start = joined.find("--data '")? + "--data '".len();
    let len = joined[start..].find('\'')?;
    serde_json::from_str(&joined[start..start + len]).ok()
}

fn scopes(section: &[&str]) -> Vec<String> {
    section
        .iter()
        .find_map(|l| l.strip_prefix("OAuth Scope :"))
        .map(|s| {
            s.split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn error_codes(section: &[&str]) -> Vec<ErrorCode> {
    let Some(head) = section.iter().position(|l| *l == "Possible Error Codes") else {
        return Vec::new();
    };
    let rest = &section[head + 1..];
    let blank = rest.iter().take_while(|l| l.is_empty()).count();
    let rest = &rest[blank..];
    let mut out = Vec::new();
    let push = |out: &mut Vec<ErrorCode>, code: &str, message: &str| {
        out.push(ErrorCode {
            code: code.trim().to_string(),
            http_status: None,
            message: message.trim().to_string(),
            group: None,
        });
    };
    if rest.first().is_some_and(|l| l.starts_with('|')) {
        // Markdown rendering: header, separator, then "code |" and "description |" lines.
        let cells: Vec<&str> = rest
            .iter()
            .skip(2)
            .take_while(|l| l.ends_with('|'))
            .map(|l| l.trim_end_matches('|').trim())
            .collect();
        for pair in cells.chunks(2) {
            if let [code, message] = pair {
                push(&mut out, code, message);
            }
        }
    } else {
        // Plain rendering: "Error Code Description", then "code description" lines.
        for line in rest
            .iter()
            .skip_while(|l| l.starts_with("Error Code"))
            .take_while(|l| !l.is_empty())
        {
            let (code, message) = line.split_once(' ').unwrap_or((line, ""));
            push(&mut out, code, message);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::default_seeds_dir;

    mod upstream_conformance {
        use super::*;

        #[test]
        #[ignore = "upstream conformance: run .ci/upstream-conformance"]
        fn parses_all_seed_pages() {
            let pages = load_seed_pages(&default_seeds_dir()).unwrap();
            let titles: Vec<_> = pages.iter().map(|p| p.title.as_str()).collect();
            assert_eq!(
                titles,
                [
                    "Functions",
                    "Bots",
                    "Message Actions",
                    "Messages",
                    "Extensions"
                ]
            );
            let counts: Vec<_> = pages.iter().map(|p| p.endpoints.len()).collect();
            assert_eq!(counts, [9, 14, 7, 11, 6]);
            for page in &pages {
                for e in &page.endpoints {
                    assert!(e.method.is_some(), "{}: {}", page.title, e.summary);
                    assert!(e.api_path().is_some(), "{}: {}", page.title, e.summary);
                }
            }
            let functions = &pages[0];
            let create = &functions.endpoints[0];
            assert_eq!(create.summary, "Create a new function");
            assert_eq!(create.method.as_deref(), Some("POST"));
            assert_eq!(create.api_path(), Some("/functions"));
            assert_eq!(create.scopes, ["ZohoCliq.Functions.CREATE"]);
            let codes: Vec<_> = create.error_codes.iter().map(|c| c.code.as_str()).collect();
            assert_eq!(
                codes,
                [
                    "function_creation_limit_exceeded",
                    "function_name_already_exists",
                    "invalid_inputs"
                ]
            );
            // The plain-text table rendering of the Message Actions page.
            let ma = &pages[2].endpoints[0];
            assert_eq!(ma.error_codes.len(), 3);
            assert_eq!(ma.error_codes[0].code, "msgaction_creation_limit_exceeded");
            // Query parameter names of the Extensions page samples.
            let install = &pages[4].endpoints[0];
            assert_eq!(install.query_names(), ["EXTENSION_KEY"]);
            // Sample bodies: both curl renderings, and the generator's placeholder recognised.
            assert!(create.sample_is_placeholder());
            let ma_update = &pages[2].endpoints[2];
            assert_eq!(
                ma_update.sample_body.as_ref().and_then(|b| b.get("name")),
                Some(&serde_json::json!("Create Ticket"))
            );
            let with_bodies = pages
                .iter()
                .flat_map(|p| &p.endpoints)
                .filter(|e| e.sample_body.is_some() && !e.sample_is_placeholder())
                .count();
            assert!(with_bodies >= 6, "{with_bodies}");
        }
    }
}
