//! Tests of the mention parser: every form, what is not a mention, order and duplicates,
//! Unicode around mentions, and long or hostile texts.

use super::*;
use MentionTarget::*;

fn loud(target: MentionTarget) -> MentionRef {
    MentionRef {
        target,
        silent: false,
    }
}

fn silent(target: MentionTarget) -> MentionRef {
    MentionRef {
        target,
        silent: true,
    }
}

fn email(s: &str) -> MentionTarget {
    Email(s.to_string())
}

fn channel(s: &str) -> MentionTarget {
    Channel(s.to_string())
}

#[test]
fn every_form() {
    let text = "Hi {@55000001} and {@scott.fisher@zylker.com}, ask {@b-53719000000000123} \
                in {#O1000000022001}; {@all} {@available} \
                [Scott Fisher](zohoid:873421) [Ann](mail:ann@zylker.com)";
    assert_eq!(
        parse_mentions(text),
        vec![
            loud(UserOrTeam(55000001)),
            loud(email("scott.fisher@zylker.com")),
            loud(Bot(53719000000000123)),
            loud(channel("O1000000022001")),
            loud(All),
            loud(Available),
            silent(User(873421)),
            silent(email("ann@zylker.com")),
        ]
    );
}

#[test]
fn no_mention_syntax_is_empty() {
    for text in [
        "",
        "plain text",
        "{} {x} {@} {#} {@ 1} {@1 } { @1}",
        "{@someone} {@b-} {@b-x} {@b-0} {@0} {@-1} {@12a}",
        "{@a@b} {@@x.com} {@x@.com} {@x@com.} {@x@y..z} {@\"a\"@b.c} {@a@b@c.d}",
        "{#} {#O1!} {#a.b}",
        "[x](zohoid:) [x](zohoid:a1) [x](mail:nobody) [](zohoid:1) [ ](mail:a@b.c)",
        "[x] (zohoid:1) [x](zohoid: 1) x](zohoid:1) [x](zohoid:1",
        "{@1",
        "{@a@b.c",
        "{#O1",
        "[a\nb](zohoid:1)",
    ] {
        assert_eq!(parse_mentions(text), vec![], "{text:?}");
    }
}

#[test]
fn all_and_available_ignore_ascii_case() {
    assert_eq!(
        parse_mentions("{@ALL} {@Available} {@aLl}"),
        vec![loud(All), loud(Available)]
    );
}

#[test]
fn order_of_first_appearance_without_duplicates() {
    let text = "{@2} {@1} {@2} {#T5} {@1} {#T5} {@all} {@all}";
    assert_eq!(
        parse_mentions(text),
        vec![
            loud(UserOrTeam(2)),
            loud(UserOrTeam(1)),
            loud(channel("T5")),
            loud(All),
        ]
    );
}

#[test]
fn emails_are_the_same_target_whatever_their_case() {
    assert_eq!(
        parse_mentions("{@Ann@Zylker.com} {@ann@zylker.COM}"),
        vec![loud(email("Ann@Zylker.com"))]
    );
}

#[test]
fn a_target_mentioned_loudly_anywhere_is_not_silent() {
    assert_eq!(
        parse_mentions("[Ann](mail:ann@z.com) then {@ann@z.com}"),
        vec![loud(email("ann@z.com"))]
    );
    assert_eq!(
        parse_mentions("[S](zohoid:7) [S](zohoid:7)"),
        vec![silent(User(7))]
    );
    // The brace form may be a team, the silent form only a user: two targets.
    assert_eq!(
        parse_mentions("{@7} [S](zohoid:7)"),
        vec![loud(UserOrTeam(7)), silent(User(7))]
    );
}

#[test]
fn malformed_braces_do_not_hide_later_mentions() {
    assert_eq!(
        parse_mentions("{@{@1}} {{#P2}} {@x {@3} {@[4]} }{@5}{"),
        vec![
            loud(UserOrTeam(1)),
            loud(channel("P2")),
            loud(UserOrTeam(3)),
            loud(UserOrTeam(5))
        ]
    );
    // An unclosed `{@` before a silent mention.
    assert_eq!(
        parse_mentions("{@abc[Ann](zohoid:9)"),
        vec![silent(User(9))]
    );
    // Nested brackets: the name is what follows the innermost `[`.
    assert_eq!(
        parse_mentions("[[Ann](zohoid:9)] [a [b](mail:b@c.de)"),
        vec![silent(User(9)), silent(email("b@c.de"))]
    );
}

#[test]
fn ids_that_do_not_fit_are_text() {
    assert_eq!(parse_mentions("{@99999999999999999999}"), vec![]);
    assert_eq!(
        parse_mentions("{@9223372036854775807}"),
        vec![loud(UserOrTeam(i64::MAX))]
    );
}

#[test]
fn unicode_around_and_inside() {
    let text = "नमस्ते {@1}! 👋🏽{#O2}日本語[Zoë Ünal](zohoid:3)…{@zoë@exämple.com}";
    assert_eq!(
        parse_mentions(text),
        vec![
            loud(UserOrTeam(1)),
            loud(channel("O2")),
            silent(User(3)),
            loud(email("zoë@exämple.com")),
        ]
    );
    // Unicode whitespace does not end a mention's content, but no email holds it.
    assert_eq!(parse_mentions("{@a\u{3000}b@c.d}"), vec![]);
    assert_eq!(parse_mentions("{@\u{3000}}"), vec![]);
}

#[test]
fn the_cheap_test_agrees_with_the_parse() {
    assert!(!may_mention("no braces here {x} [y](z)"));
    assert!(may_mention("{@1}"));
    assert!(may_mention("{#O1}"));
    assert!(may_mention("[a](zohoid:1)"));
    assert!(may_mention("[a](mail:a@b.c)"));
}

#[test]
fn many_mentions() {
    let text: String = (1..=500).map(|n| format!("{{@{n}}} ")).collect();
    let got = parse_mentions(&text);
    assert_eq!(got.len(), 500);
    assert_eq!(got[0], loud(UserOrTeam(1)));
    assert_eq!(got[499], loud(UserOrTeam(500)));
}

#[test]
fn overlong_content_is_text() {
    let local = "a".repeat(400);
    assert_eq!(parse_mentions(&format!("{{@{local}@x.com}}")), vec![]);
    let ok = "a".repeat(200);
    assert_eq!(parse_mentions(&format!("{{@{ok}@x.com}}")).len(), 1);
}

/// Hostile texts of 1 MB parse in well under a second even in a debug build: each byte is
/// visited a bounded number of times.
#[test]
fn long_hostile_texts_are_linear() {
    const N: usize = 1 << 20;
    let texts = [
        "{@".repeat(N / 2),
        "{#".repeat(N / 2),
        "[".repeat(N),
        "](zohoid:".repeat(N / 9),
        format!("{{@{}", "a".repeat(N)),
        format!("[{}](zohoid:{}", "a".repeat(N / 2), "1".repeat(N / 2)),
        "[a](zohoid:1".repeat(N / 12),
        "{@1}".repeat(N / 4),
    ];
    let started = std::time::Instant::now();
    for t in &texts {
        let _ = parse_mentions(t);
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}
