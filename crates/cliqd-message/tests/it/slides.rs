//! Slides: the limits across slides, each slide type and its data shape and styles.

use cliqd_message::codes;
use serde_json::{Value, json};

use crate::{bad, button, ok, only, s, slide, table};

#[test]
fn at_most_twenty_slides() {
    let twenty: Vec<Value> = (0..20)
        .map(|_| json!({"type": "text", "data": "a"}))
        .collect();
    ok(json!({"slides": twenty}));
    let many: Vec<Value> = (0..21)
        .map(|_| json!({"type": "text", "data": "a"}))
        .collect();
    only(
        &bad(json!({"slides": many})),
        "slides",
        codes::SLIDE_LIMIT_EXCEEDED,
    );
}

#[test]
fn at_most_ten_thousand_characters_across_slides() {
    // Title and data strings count: 4 * (500 + 2000) = 10,000.
    let slides: Vec<Value> = (0..4)
        .map(|_| json!({"type": "text", "title": s(500), "data": s(2000)}))
        .collect();
    ok(json!({"slides": slides}));
    let mut slides = slides;
    slides.push(json!({"type": "list", "data": ["x"]}));
    only(
        &bad(json!({"slides": slides})),
        "slides",
        codes::SLIDE_CONTENT_LIMIT_EXCEEDED,
    );
}

#[test]
fn slide_type_and_data() {
    only(
        &bad(json!({"slides": [{"data": "x"}]})),
        "slides[0].type",
        codes::FIELD_REQUIRED,
    );
    only(
        &bad(json!({"slides": [{"type": "chart", "data": "x"}]})),
        "slides[0].type",
        codes::INVALID_SLIDE_TYPE,
    );
    only(
        &bad(json!({"slides": [{"type": "text"}]})),
        "slides[0].data",
        codes::FIELD_REQUIRED,
    );
    only(
        &bad(json!({"slides": ["text"]})),
        "slides[0]",
        codes::INVALID_FIELD_TYPE,
    );
    only(
        &bad(json!({"slides": {"type": "text"}})),
        "slides",
        codes::INVALID_FIELD_TYPE,
    );
}

#[test]
fn text_slide() {
    ok(slide("text", json!("hello")));
    only(
        &bad(slide("text", json!({}))),
        "slides[0].data",
        codes::INVALID_FIELD_TYPE,
    );
    only(
        &bad(slide("text", json!(" "))),
        "slides[0].data",
        codes::FIELD_REQUIRED,
    );
}

#[test]
fn table_slide() {
    let m = ok(slide(
        "table",
        json!({"headers": ["Name", "Age"], "rows": [{"Name": "Paula", "Age": 31}, {"Name": "Li"}]}),
    ));
    assert_eq!(m.to_json()["slides"][0]["data"]["rows"][0]["Age"], "31");
    only(
        &bad(slide("table", json!({"rows": []}))),
        "slides[0].data.headers",
        codes::FIELD_REQUIRED,
    );
    only(
        &bad(slide("table", json!({"headers": []}))),
        "slides[0].data.headers",
        codes::TOO_FEW_ITEMS,
    );
    only(
        &bad(slide("table", json!({"headers": "Name"}))),
        "slides[0].data.headers",
        codes::INVALID_FIELD_TYPE,
    );
    only(
        &bad(slide("table", json!(["Name"]))),
        "slides[0].data",
        codes::INVALID_FIELD_TYPE,
    );
    only(
        &bad(slide("table", json!({"headers": ["A", "A"]}))),
        "slides[0].data.headers[1]",
        codes::INVALID_TABLE_DATA,
    );
    only(
        &bad(slide(
            "table",
            json!({"headers": ["A"], "rows": [{"A": "1"}, {"B": "2"}]}),
        )),
        "slides[0].data.rows[1].B",
        codes::INVALID_TABLE_DATA,
    );
    only(
        &bad(slide(
            "table",
            json!({"headers": ["A"], "rows": [{"A": {"x": 1}}]}),
        )),
        "slides[0].data.rows[0].A",
        codes::INVALID_FIELD_TYPE,
    );
}

#[test]
fn table_styles() {
    let styled = |styles: Value| json!({"text": "t", "slides": [{"type": "table", "data": table(), "styles": styles}]});
    ok(styled(
        json!({"width": [60, 40], "sticky": {"rows": 2, "columns": 0}}),
    ));
    only(
        &bad(styled(json!({"width": [60, 30]}))),
        "slides[0].styles.width",
        codes::INVALID_FIELD_VALUE,
    );
    only(
        &bad(styled(json!({"width": [50, 30, 20]}))),
        "slides[0].styles.width",
        codes::INVALID_FIELD_VALUE,
    );
    only(
        &bad(styled(json!({"width": [0, 100]}))),
        "slides[0].styles.width[0]",
        codes::INVALID_FIELD_VALUE,
    );
    only(
        &bad(styled(json!({"sticky": {"rows": 3}}))),
        "slides[0].styles.sticky.rows",
        codes::INVALID_FIELD_VALUE,
    );
    // The messageformat schema nests the styles inside data; they move to the slide.
    let mut data = table();
    data["styles"] = json!({"width": [50, 50]});
    let m = ok(slide("table", data.clone()));
    assert_eq!(
        m.to_json()["slides"][0]["styles"],
        json!({"width": [50, 50]})
    );
    assert!(m.to_json()["slides"][0]["data"].get("styles").is_none());
    only(
        &bad(json!({"text": "t", "slides": [{"type": "table", "data": data, "styles": {}}]})),
        "slides[0].data.styles",
        codes::CONFLICTING_FIELDS,
    );
}

#[test]
fn list_slide() {
    let m = ok(
        json!({"text": "t", "slides": [{"type": "list", "data": ["a", 2], "styles": {"type": "bulleted"}}]}),
    );
    assert_eq!(m.to_json()["slides"][0]["styles"]["type"], "disc");
    assert_eq!(m.to_json()["slides"][0]["data"], json!(["a", "2"]));
    ok(
        json!({"text": "t", "slides": [{"type": "list", "data": ["a"], "styles": {"type": "upper-roman"}}]}),
    );
    only(
        &bad(slide("list", json!([]))),
        "slides[0].data",
        codes::TOO_FEW_ITEMS,
    );
    only(
        &bad(slide("list", json!(["a", {}]))),
        "slides[0].data[1]",
        codes::INVALID_FIELD_TYPE,
    );
    only(
        &bad(
            json!({"text": "t", "slides": [{"type": "list", "data": ["a"], "styles": {"type": "zigzag"}}]}),
        ),
        "slides[0].styles.type",
        codes::INVALID_FIELD_VALUE,
    );
}

#[test]
fn label_slide_accepts_both_shapes() {
    let a = ok(slide(
        "label",
        json!([{"Revenue": "$500,000"}, {"Growth": "25%"}]),
    ));
    let b = ok(slide(
        "label",
        json!([{"label": "Revenue", "value": "$500,000"}, {"label": "Growth", "value": "25%"}]),
    ));
    assert_eq!(a, b);
    assert_eq!(
        a.to_json()["slides"][0]["data"],
        json!([{"Revenue": "$500,000"}, {"Growth": "25%"}])
    );
    only(
        &bad(slide("label", json!([]))),
        "slides[0].data",
        codes::TOO_FEW_ITEMS,
    );
    only(
        &bad(slide("label", json!(["Revenue"]))),
        "slides[0].data[0]",
        codes::INVALID_FIELD_TYPE,
    );
    only(
        &bad(slide("label", json!([{}]))),
        "slides[0].data[0]",
        codes::FIELD_REQUIRED,
    );
    only(
        &bad(slide("label", json!([{"Revenue": [1]}]))),
        "slides[0].data[0].Revenue",
        codes::INVALID_FIELD_TYPE,
    );
}

#[test]
fn images_slide_accepts_image_spelling() {
    let a = ok(slide("images", json!(["https://img.example/a.png"])));
    let b = ok(slide("image", json!(["https://img.example/a.png"])));
    assert_eq!(a, b);
    assert_eq!(b.to_json()["slides"][0]["type"], "images");
    only(
        &bad(slide("images", json!([]))),
        "slides[0].data",
        codes::TOO_FEW_ITEMS,
    );
    only(
        &bad(slide(
            "images",
            json!(["https://img.example/a.png", "not a url"]),
        )),
        "slides[0].data[1]",
        codes::INVALID_URL,
    );
}

#[test]
fn percentage_chart_slide() {
    let point = |l: &str| json!({"label": l, "value": 12.5});
    ok(
        json!({"text": "t", "slides": [{"type": "percentage_chart", "data": [point("a"), point(&s(20))], "styles": {"preview": "semi_doughnut"}}]}),
    );
    let six: Vec<Value> = (0..6).map(|i| point(&i.to_string())).collect();
    only(
        &bad(slide("percentage_chart", json!(six))),
        "slides[0].data",
        codes::ITEM_LIMIT_EXCEEDED,
    );
    only(
        &bad(slide("percentage_chart", json!([point(&s(21))]))),
        "slides[0].data[0].label",
        codes::FIELD_LENGTH_EXCEEDED,
    );
    only(
        &bad(slide(
            "percentage_chart",
            json!([{"label": "a", "value": "lots"}]),
        )),
        "slides[0].data[0].value",
        codes::INVALID_FIELD_TYPE,
    );
    only(
        &bad(slide("percentage_chart", json!([{"label": "a"}]))),
        "slides[0].data[0].value",
        codes::FIELD_REQUIRED,
    );
    only(
        &bad(
            json!({"text": "t", "slides": [{"type": "percentage_chart", "data": [point("a")], "styles": {"preview": "bar"}}]}),
        ),
        "slides[0].styles.preview",
        codes::INVALID_FIELD_VALUE,
    );
}

#[test]
fn graph_slide() {
    let cat = |n: usize| {
        let values: Vec<Value> = (0..n)
            .map(|i| json!({"label": i.to_string(), "value": i}))
            .collect();
        json!({"category": "Asana", "values": values})
    };
    ok(
        json!({"text": "t", "slides": [{"type": "graph", "data": [cat(20)], "styles": {"preview": "trend", "x_axis": s(20), "y_axis": "Usage"}}]}),
    );
    only(
        &bad(slide("graph", json!([cat(21)]))),
        "slides[0].data[0].values",
        codes::ITEM_LIMIT_EXCEEDED,
    );
    let six: Vec<Value> = (0..6).map(|_| cat(1)).collect();
    only(
        &bad(slide("graph", json!(six))),
        "slides[0].data",
        codes::ITEM_LIMIT_EXCEEDED,
    );
    only(
        &bad(slide("graph", json!([{"values": []}]))),
        "slides[0].data[0].category",
        codes::FIELD_REQUIRED,
    );
    only(
        &bad(
            json!({"text": "t", "slides": [{"type": "graph", "data": [cat(1)], "styles": {"x_axis": s(21)}}]}),
        ),
        "slides[0].styles.x_axis",
        codes::FIELD_LENGTH_EXCEEDED,
    );
    only(
        &bad(
            json!({"text": "t", "slides": [{"type": "graph", "data": [cat(1)], "styles": {"preview": "pie"}}]}),
        ),
        "slides[0].styles.preview",
        codes::INVALID_FIELD_VALUE,
    );
}

#[test]
fn slide_buttons() {
    let five: Vec<Value> = (0..5).map(|i| button(&i.to_string())).collect();
    ok(json!({"slides": [{"type": "text", "data": "a", "buttons": five}]}));
    let six: Vec<Value> = (0..6).map(|i| button(&i.to_string())).collect();
    only(
        &bad(json!({"slides": [{"type": "text", "data": "a", "buttons": six}]})),
        "slides[0].buttons",
        codes::BUTTON_LIMIT_EXCEEDED,
    );
}

#[test]
fn a_null_list_item_is_refused() {
    let errs = bad(json!({"slides": [{"type": "list", "data": ["a", null]}]}));
    only(&errs, "slides[0].data[1]", codes::INVALID_FIELD_TYPE);
}

#[test]
fn an_empty_card_is_no_content() {
    only(&bad(json!({"card": {}})), "text", codes::TEXT_REQUIRED);
    ok(json!({"text": "t", "card": {}}));
}
