//! The layers' arrows point one way (docs/ARCHITECTURE.md): each layer's
//! source names only the modules it may import. Read from the files, so a
//! new import across a boundary fails here, with the line that made it.

use std::path::{Path, PathBuf};

/// A layer's folder under `src/` and the top-level modules its code may
/// name (`crate::<module>`), or the ones it must not.
enum Rule {
    Only(&'static [&'static str]),
    Never(&'static [&'static str]),
}

const LAYERS: &[(&str, Rule)] = &[
    ("domain", Rule::Only(&["domain", "ids"])),
    ("views", Rule::Only(&["domain", "ids", "views"])),
    ("models", Rule::Only(&["db", "ids", "domain", "models"])),
    (
        "repo",
        Rule::Never(&["http", "api", "error", "service", "startup"]),
    ),
    ("service", Rule::Never(&["http", "api", "startup"])),
    // HTTP plumbing serves every handler and never reaches below them
    // (the metrics read the pool's gauges, not the database).
    (
        "http",
        Rule::Never(&["api", "service", "repo", "models", "startup"]),
    ),
];

fn source_files(folder: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(source_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files
}

/// The lines of a file that build the service: no comments, and nothing
/// from the first `#[cfg(test)]` on (tests may use fixtures from anywhere).
/// Test-only files (`tests.rs`, `*_tests.rs`, `fixtures.rs`) have none.
fn code_lines(path: &Path) -> Vec<(usize, String)> {
    let name = path.file_name().unwrap().to_string_lossy();
    if name == "tests.rs" || name.ends_with("_tests.rs") || name == "fixtures.rs" {
        return Vec::new();
    }
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .take_while(|line| line.trim() != "#[cfg(test)]")
        .enumerate()
        .map(|(index, line)| (index + 1, line.split("//").next().unwrap().to_owned()))
        .collect()
}

/// Every `crate::<module>` a line names.
fn named_modules(line: &str) -> Vec<&str> {
    line.match_indices("crate::")
        .map(|(at, _)| {
            let rest = &line[at + "crate::".len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .collect()
}

#[test]
fn every_layer_imports_only_what_it_may() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut crossings = Vec::new();
    for (layer, rule) in LAYERS {
        for file in source_files(&src.join(layer)) {
            for (number, line) in code_lines(&file) {
                for module in named_modules(&line) {
                    let allowed = match rule {
                        Rule::Only(allowed) => allowed.contains(&module),
                        Rule::Never(forbidden) => !forbidden.contains(&module),
                    };
                    if !allowed {
                        crossings.push(format!(
                            "{}:{number}: {layer} names crate::{module}",
                            file.strip_prefix(&src).unwrap().display()
                        ));
                    }
                }
            }
        }
    }
    assert!(crossings.is_empty(), "{}", crossings.join("\n"));
}

/// Handlers speak HTTP and call the service: no query is built in `api`.
#[test]
fn handlers_build_no_queries() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let queries: Vec<String> = source_files(&src.join("api"))
        .iter()
        .flat_map(|file| {
            code_lines(file)
                .into_iter()
                .filter(|(_, line)| line.contains("diesel"))
                .map(move |(number, _)| format!("{}:{number}", file.display()))
        })
        .collect();
    assert!(queries.is_empty(), "diesel in api: {queries:?}");
}

#[test]
fn the_checker_reads_code_and_skips_comments_and_tests() {
    assert_eq!(
        named_modules("use crate::http::conditional::{crate::api, x}; crate::error::ApiError"),
        ["http", "api", "error"]
    );
    let file = std::env::temp_dir().join(format!("layers-{}.rs", std::process::id()));
    std::fs::write(
        &file,
        "use crate::http::a; // crate::api\n/// crate::error\n#[cfg(test)]\nuse crate::seed;\n",
    )
    .unwrap();
    let lines = code_lines(&file);
    std::fs::remove_file(&file).unwrap();
    let named: Vec<&str> = lines.iter().flat_map(|(_, l)| named_modules(l)).collect();
    assert_eq!(named, ["http"]);
}
