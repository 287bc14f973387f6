//! Prints every contradiction found (scratch tool while curating contradictions.toml).
fn main() {
    let spec = cliqd_spec::Spec::load_default().expect("documents load");
    let seeds = cliqd_spec::load_seed_pages(&cliqd_spec::default_seeds_dir()).expect("seeds load");
    for c in cliqd_spec::check_consistency(&spec, &seeds) {
        println!("{}  [{:?}]", c.id, c.kind);
        for d in c.details {
            println!("    {d}");
        }
    }
}
