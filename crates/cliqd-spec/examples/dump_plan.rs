//! Prints the conformance plan of the in-scope operations.
fn main() {
    let spec = cliqd_spec::Spec::load_default().expect("documents load");
    let ops = cliqd_spec::scope::in_scope(&spec, None);
    for r in cliqd_spec::plan(&ops, &[]) {
        println!(
            "{:>3} {:6} {:45} {:28} {:?} {:?} {:?}",
            r.step,
            r.method.as_str(),
            r.path_template,
            r.example.as_deref().unwrap_or("-"),
            r.path_bindings.values().collect::<Vec<_>>(),
            r.captures
                .iter()
                .map(|c| format!("{}->{}", c.pointer, c.key))
                .collect::<Vec<_>>(),
            r.expected_statuses
        );
    }
}
