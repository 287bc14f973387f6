//! XML functions: `executeXPath(path)` and `toXmlList()` over a small XML reader and an
//! XPath subset (absolute and `//` steps, `*`, `[n]`, `[@a='v']`, `[child='v']`, trailing
//! `text()` or `@attr`). JSON text is first converted as `toXML` does, under `<root>`
//! (executeXPath doc).

use super::{CallCtx, Dispatch, arity, text_arg};
use crate::error::RuntimeError;
use crate::value::{MAX_NESTING, Value};

/// An element of a parsed document.
#[derive(Debug, Clone, Default)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
}

#[derive(Debug, Clone)]
enum Node {
    Element(Element),
    Text(String),
}

fn bad_xml(msg: impl std::fmt::Display) -> RuntimeError {
    RuntimeError::value_error(format!("invalid XML: {msg}"))
}

/// Most nodes one document may hold.
const MAX_NODES: usize = 1_000_000;

struct Reader<'a> {
    s: &'a str,
    pos: usize,
    nodes: usize,
}

impl Reader<'_> {
    fn rest(&self) -> &str {
        self.s.get(self.pos..).unwrap_or_default()
    }

    fn eat(&mut self, lit: &str) -> bool {
        if self.rest().starts_with(lit) {
            self.pos += lit.len();
            true
        } else {
            false
        }
    }

    fn skip_ws(&mut self) {
        let n = self.rest().len() - self.rest().trim_start().len();
        self.pos += n;
    }

    fn skip_past(&mut self, end: &str) -> Result<(), RuntimeError> {
        match self.rest().find(end) {
            Some(i) => {
                self.pos += i + end.len();
                Ok(())
            }
            None => Err(bad_xml(format!("missing '{end}'"))),
        }
    }

    fn name(&mut self) -> Result<String, RuntimeError> {
        let len = self
            .rest()
            .find(|c: char| c.is_whitespace() || matches!(c, '>' | '/' | '=' | '<'))
            .unwrap_or(self.rest().len());
        if len == 0 {
            return Err(bad_xml(format!("expected a name at offset {}", self.pos)));
        }
        let n = self.rest()[..len].to_string();
        self.pos += len;
        Ok(n)
    }

    /// Children up to `</end>` (or the end of the text for the top level).
    fn content(&mut self, end: Option<&str>, depth: usize) -> Result<Vec<Node>, RuntimeError> {
        if depth > MAX_NESTING {
            return Err(bad_xml("nested too deeply"));
        }
        let mut out = Vec::new();
        loop {
            self.nodes += 1;
            if self.nodes > MAX_NODES {
                return Err(bad_xml("too many nodes"));
            }
            if self.rest().is_empty() {
                return match end {
                    None => Ok(out),
                    Some(e) => Err(bad_xml(format!("element '{e}' is not closed"))),
                };
            }
            if self.eat("<!--") {
                self.skip_past("-->")?;
            } else if self.eat("<![CDATA[") {
                let i = self
                    .rest()
                    .find("]]>")
                    .ok_or_else(|| bad_xml("open CDATA"))?;
                out.push(Node::Text(self.rest()[..i].to_string()));
                self.pos += i + 3;
            } else if self.eat("<?") {
                self.skip_past("?>")?;
            } else if self.eat("<!") {
                self.skip_past(">")?;
            } else if self.eat("</") {
                let n = self.name()?;
                self.skip_ws();
                if !self.eat(">") {
                    return Err(bad_xml(format!("bad closing tag '{n}'")));
                }
                return match end {
                    Some(e) if e == n => Ok(out),
                    _ => Err(bad_xml(format!("unexpected closing tag '{n}'"))),
                };
            } else if self.eat("<") {
                out.push(Node::Element(self.element(depth)?));
            } else {
                let i = self.rest().find('<').unwrap_or(self.rest().len());
                let raw = &self.rest()[..i];
                let text = unescape(raw);
                self.pos += i;
                if !text.trim().is_empty() {
                    out.push(Node::Text(text));
                }
            }
        }
    }

    fn element(&mut self, depth: usize) -> Result<Element, RuntimeError> {
        let name = self.name()?;
        let mut attrs = Vec::new();
        loop {
            self.skip_ws();
            if self.eat("/>") {
                return Ok(Element {
                    name,
                    attrs,
                    children: Vec::new(),
                });
            }
            if self.eat(">") {
                let children = self.content(Some(&name), depth + 1)?;
                return Ok(Element {
                    name,
                    attrs,
                    children,
                });
            }
            let key = self.name()?;
            self.skip_ws();
            if !self.eat("=") {
                return Err(bad_xml(format!("attribute '{key}' has no value")));
            }
            self.skip_ws();
            let quote = self
                .rest()
                .chars()
                .next()
                .filter(|c| matches!(c, '"' | '\''));
            let quote = quote.ok_or_else(|| bad_xml(format!("attribute '{key}' is not quoted")))?;
            self.pos += 1;
            let i = self
                .rest()
                .find(quote)
                .ok_or_else(|| bad_xml("unterminated attribute"))?;
            attrs.push((key, unescape(&self.rest()[..i])));
            self.pos += i + 1;
        }
    }
}

fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(semi) = rest.find(';').filter(|&j| j <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

fn serialize(e: &Element, out: &mut String) {
    out.push('<');
    out.push_str(&e.name);
    for (k, v) in &e.attrs {
        out.push(' ');
        out.push_str(k);
        out.push_str("=\"");
        escape(v, out);
        out.push('"');
    }
    if e.children.is_empty() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    for c in &e.children {
        match c {
            Node::Element(child) => serialize(child, out),
            Node::Text(t) => escape(t, out),
        }
    }
    out.push_str("</");
    out.push_str(&e.name);
    out.push('>');
}

fn text_of(e: &Element, out: &mut String) {
    for c in &e.children {
        match c {
            Node::Element(child) => text_of(child, out),
            Node::Text(t) => out.push_str(t),
        }
    }
}

/// Parses an XML document or fragment (several top-level elements); JSON text is converted
/// first, under a `<root>` element.
fn parse_document(text: &str) -> Result<Element, RuntimeError> {
    let trimmed = text.trim_start();
    let xml;
    let source = if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let v = super::json::parse(text)?;
        xml = super::json::to_xml(&v);
        xml.as_str()
    } else {
        text
    };
    let mut r = Reader {
        s: source,
        pos: 0,
        nodes: 0,
    };
    let children = r.content(None, 0)?;
    Ok(Element {
        name: String::new(),
        attrs: Vec::new(),
        children,
    })
}

/// One location step of the supported XPath subset.
#[derive(Debug)]
struct Step {
    descendant: bool,
    name: String,
    predicates: Vec<Predicate>,
}

#[derive(Debug)]
enum Predicate {
    Index(usize),
    Attr(String, String),
    Child(String, String),
}

#[derive(Debug)]
enum Tail {
    Nodes,
    Text,
    Attr(String),
}

fn bad_path(path: &str) -> RuntimeError {
    RuntimeError::value_error(format!("invalid or unsupported XPath '{path}'"))
}

fn parse_path(path: &str) -> Result<(Vec<Step>, Tail), RuntimeError> {
    let p = path.trim();
    if p.is_empty() {
        return Err(bad_path(path));
    }
    let mut steps = Vec::new();
    let mut tail = Tail::Nodes;
    let mut rest = p.strip_prefix('/').unwrap_or(p);
    let mut descendant = p.starts_with("//");
    if descendant {
        rest = &rest[1..];
    }
    loop {
        let end = step_end(rest);
        let raw = &rest[..end];
        if raw.is_empty() {
            return Err(bad_path(path));
        }
        if raw == "text()" {
            tail = Tail::Text;
        } else if let Some(a) = raw.strip_prefix('@') {
            tail = Tail::Attr(a.to_string());
        } else {
            if !matches!(tail, Tail::Nodes) {
                return Err(bad_path(path));
            }
            steps.push(parse_step(raw, descendant).ok_or_else(|| bad_path(path))?);
        }
        rest = &rest[end..];
        if rest.is_empty() {
            break;
        }
        if !matches!(tail, Tail::Nodes) {
            return Err(bad_path(path));
        }
        descendant = rest.starts_with("//");
        rest = rest.trim_start_matches('/');
    }
    Ok((steps, tail))
}

/// End of the current step: the next `/` outside brackets and quotes.
fn step_end(s: &str) -> usize {
    let mut depth = 0;
    let mut quote: Option<char> = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '[') => depth += 1,
            (None, ']') => depth -= 1,
            (None, '/') if depth == 0 => return i,
            _ => {}
        }
    }
    s.len()
}

fn parse_step(raw: &str, descendant: bool) -> Option<Step> {
    let (name, mut preds) = match raw.find('[') {
        Some(i) => (&raw[..i], &raw[i..]),
        None => (raw, ""),
    };
    let valid = |n: &str| {
        n == "*"
            || (!n.is_empty()
                && n.chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':')))
    };
    if !valid(name) {
        return None;
    }
    let mut predicates = Vec::new();
    while let Some(body) = preds.strip_prefix('[') {
        let close = body.find(']')?;
        let inner = body[..close].trim();
        preds = &body[close + 1..];
        if let Ok(n) = inner.parse::<usize>() {
            if n == 0 {
                return None;
            }
            predicates.push(Predicate::Index(n));
            continue;
        }
        let (lhs, rhs) = inner.split_once('=')?;
        let value = rhs
            .trim()
            .trim_matches(|c| c == '\'' || c == '"')
            .to_string();
        let lhs = lhs.trim();
        match lhs.strip_prefix('@') {
            Some(a) if valid(a) => predicates.push(Predicate::Attr(a.to_string(), value)),
            None if valid(lhs) => predicates.push(Predicate::Child(lhs.to_string(), value)),
            _ => return None,
        }
    }
    if !preds.is_empty() {
        return None;
    }
    Some(Step {
        descendant,
        name: name.to_string(),
        predicates,
    })
}

fn collect_descendants<'a>(e: &'a Element, out: &mut Vec<&'a Element>) {
    for c in &e.children {
        if let Node::Element(child) = c {
            out.push(child);
            collect_descendants(child, out);
        }
    }
}

fn select<'a>(doc: &'a Element, steps: &[Step]) -> Vec<&'a Element> {
    let mut current = vec![doc];
    for step in steps {
        let mut next = Vec::new();
        // `//x` is `/descendant-or-self::node()/x`: predicates apply per parent.
        let mut contexts = Vec::new();
        for node in &current {
            contexts.push(*node);
            if step.descendant {
                collect_descendants(node, &mut contexts);
            }
        }
        for node in contexts {
            let candidates = node.children.iter().filter_map(|c| match c {
                Node::Element(e) => Some(e),
                Node::Text(_) => None,
            });
            let mut matched: Vec<&Element> = candidates
                .into_iter()
                .filter(|e| step.name == "*" || e.name == step.name)
                .collect();
            for p in &step.predicates {
                matched = match p {
                    Predicate::Index(n) => matched.get(n - 1).copied().into_iter().collect(),
                    Predicate::Attr(a, v) => matched
                        .into_iter()
                        .filter(|e| e.attrs.iter().any(|(k, x)| k == a && x == v))
                        .collect(),
                    Predicate::Child(c, v) => matched
                        .into_iter()
                        .filter(|e| {
                            e.children.iter().any(|n| match n {
                                Node::Element(ch) if &ch.name == c => {
                                    let mut t = String::new();
                                    text_of(ch, &mut t);
                                    &t == v
                                }
                                _ => false,
                            })
                        })
                        .collect(),
                };
            }
            next.extend(matched);
        }
        current = next;
    }
    current
}

/// executeXPath: element results as XML (concatenated), `text()` as text, `@a` as `<a>v</a>`.
fn execute_xpath(text: &str, path: &str) -> Result<String, RuntimeError> {
    let doc = parse_document(text)?;
    let (steps, tail) = parse_path(path)?;
    let nodes = select(&doc, &steps);
    let mut out = String::new();
    for n in nodes {
        match &tail {
            Tail::Nodes => serialize(n, &mut out),
            Tail::Text => {
                for c in &n.children {
                    if let Node::Text(t) = c {
                        out.push_str(t);
                    }
                }
            }
            Tail::Attr(a) => {
                for (k, v) in &n.attrs {
                    if k == a || a == "*" {
                        out.push('<');
                        out.push_str(k);
                        out.push('>');
                        escape(v, &mut out);
                        out.push_str("</");
                        out.push_str(k);
                        out.push('>');
                    }
                }
            }
        }
        if out.len() > crate::value::MAX_RENDER_BYTES {
            return Err(bad_xml("result too large"));
        }
    }
    Ok(out)
}

/// `text.executeXPath(path)`, `text.toXmlList()`.
pub fn method(ctx: &mut CallCtx<'_>, recv: &Value, name: &str, args: &[Value]) -> Dispatch {
    let Value::Text(t) = recv else { return None };
    Some(match name {
        "executexpath" => (|| {
            arity(name, args, 1, 1)?;
            let path = text_arg(name, args, 0)?;
            let out = execute_xpath(t, &path)?;
            ctx.check_text_len(out.len())?;
            Ok(Value::text(out))
        })(),
        "toxmllist" => (|| {
            arity(name, args, 0, 0)?;
            let doc = parse_document(t)?;
            let elements: Vec<&Element> = doc
                .children
                .iter()
                .filter_map(|c| match c {
                    Node::Element(e) => Some(e),
                    Node::Text(_) => None,
                })
                .collect();
            ctx.check_size(elements.len())?;
            Ok(Value::list(
                elements
                    .into_iter()
                    .map(|e| {
                        let mut s = String::new();
                        serialize(e, &mut s);
                        Value::text(s)
                    })
                    .collect(),
            ))
        })(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CATALOG: &str = r#"<?xml version="1.0"?>
<CATALOG>
  <!-- two records -->
  <CD id="1"><TITLE>Empire Burlesque</TITLE><ARTIST>Bob Dylan</ARTIST></CD>
  <CD id="2"><TITLE>Hide &amp; seek</TITLE><ARTIST>Bonnie Tyler</ARTIST></CD>
</CATALOG>"#;

    #[test]
    fn paths_select_nodes_text_and_attributes() {
        assert_eq!(
            execute_xpath(CATALOG, "/CATALOG/CD/TITLE").unwrap(),
            "<TITLE>Empire Burlesque</TITLE><TITLE>Hide &amp; seek</TITLE>"
        );
        assert_eq!(
            execute_xpath(CATALOG, "/CATALOG/CD[2]/TITLE/text()").unwrap(),
            "Hide & seek"
        );
        assert_eq!(
            execute_xpath(CATALOG, "//ARTIST[1]/text()").unwrap(),
            "Bob DylanBonnie Tyler"
        );
        assert_eq!(
            execute_xpath(CATALOG, "/CATALOG/CD[@id='2']/ARTIST/text()").unwrap(),
            "Bonnie Tyler"
        );
        assert_eq!(
            execute_xpath(CATALOG, "/CATALOG/CD[ARTIST='Bob Dylan']/TITLE/text()").unwrap(),
            "Empire Burlesque"
        );
        assert_eq!(
            execute_xpath(CATALOG, "/CATALOG/*[1]/@id").unwrap(),
            "<id>1</id>"
        );
        assert_eq!(execute_xpath(CATALOG, "/NOPE").unwrap(), "");
        let a = r#"<a href="https://x.test/b.pdf" target="_blank">Harry Potter</a>"#;
        let href = execute_xpath(a, "/a/@href").unwrap();
        assert_eq!(
            execute_xpath(&href, "/href/text()").unwrap(),
            "https://x.test/b.pdf"
        );
    }

    #[test]
    fn json_goes_under_root() {
        let j = r#"{"address": {"city": "Surat", "zip": 1}}"#;
        assert_eq!(
            execute_xpath(j, "/root/address/city").unwrap(),
            "<city>Surat</city>"
        );
    }

    #[test]
    fn errors_and_lists() {
        assert!(execute_xpath(CATALOG, "count(//CD)").is_err());
        assert!(execute_xpath(CATALOG, "/CATALOG/CD[0]").is_err());
        assert!(execute_xpath("<a><b></a>", "/a").is_err());
        assert!(execute_xpath("<a", "/a").is_err());
        assert!(execute_xpath(&"<a>".repeat(200), "/a").is_err());
        let mut host = crate::host::NullHost::default();
        let limits = crate::limits::Limits::default();
        let mut ctx = CallCtx {
            host: &mut host,
            limits: &limits,
        };
        let cds = Value::text(execute_xpath(CATALOG, "/CATALOG/CD").unwrap());
        let l = method(&mut ctx, &cds, "toxmllist", &[]).unwrap().unwrap();
        let Value::List(items) = &l else {
            panic!("not a list")
        };
        assert_eq!(items.borrow().items.len(), 2);
        assert_eq!(
            items.borrow().items[1].to_text(),
            r#"<CD id="2"><TITLE>Hide &amp; seek</TITLE><ARTIST>Bonnie Tyler</ARTIST></CD>"#
        );
    }
}
