//! The built-in benchmark suite of `cliqd deluge bench`: representative handler scripts.

/// `(name, source)` of each benchmark script (sources in `bench-scripts/`).
pub const SUITE: &[(&str, &str)] = &[
    (
        "text_building",
        include_str!("../bench-scripts/text_building.dg"),
    ),
    ("map_list", include_str!("../bench-scripts/map_list.dg")),
    (
        "json_roundtrip",
        include_str!("../bench-scripts/json_roundtrip.dg"),
    ),
    ("loop_5000", include_str!("../bench-scripts/loop_5000.dg")),
    ("bot_card", include_str!("../bench-scripts/bot_card.dg")),
    ("hot_loop", include_str!("../bench-scripts/hot_loop.dg")),
];

/// Inputs the suite's scripts expect (a handler's `user`).
pub const SUITE_INPUTS: &str =
    r#"{"user": {"first_name": "Scott", "last_name": "Fisher", "id": "123456"}}"#;
