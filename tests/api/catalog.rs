use std::collections::HashSet;

use serde_json::Value;

use crate::helpers::{TestApp, assert_problem, spawn_app};

/// Walks every page of `/v1/exercises?{query}` and returns the slugs in
/// order, asserting that no slug repeats across pages.
async fn all_pages(app: &TestApp, query: &str, page_size: usize) -> Vec<String> {
    let mut slugs = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/v1/exercises?limit={page_size}");
        if !query.is_empty() {
            path.push('&');
            path.push_str(query);
        }
        if let Some(cursor) = &cursor {
            path.push_str(&format!("&cursor={cursor}"));
        }
        let page = app.get_json(&path).await;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= page_size);
        slugs.extend(items.iter().map(|e| e["slug"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let distinct: HashSet<&String> = slugs.iter().collect();
    assert_eq!(distinct.len(), slugs.len(), "a slug repeated across pages");
    slugs
}

async fn catalog(app: &TestApp) -> Vec<Value> {
    let export = app.get_json("/v1/exercises/export").await;
    assert_eq!(export["format"], "runstrong");
    export["exercises"].as_array().unwrap().clone()
}

fn has(exercise: &Value, field: &str, value: &str) -> bool {
    exercise[field]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v == value)
}

fn slugs_where(catalog: &[Value], keep: impl Fn(&Value) -> bool) -> Vec<String> {
    let mut slugs: Vec<String> = catalog
        .iter()
        .filter(|e| keep(e))
        .map(|e| e["slug"].as_str().unwrap().to_owned())
        .collect();
    slugs.sort();
    slugs
}

/// Checks that `query` returns exactly what `keep` selects from the whole
/// catalog, and that the filter both includes and excludes something.
async fn assert_filter(
    app: &TestApp,
    catalog: &[Value],
    query: &str,
    keep: impl Fn(&Value) -> bool,
) {
    let expected = slugs_where(catalog, keep);
    assert!(!expected.is_empty(), "{query} selects nothing in the seed");
    assert!(
        expected.len() < catalog.len(),
        "{query} excludes nothing in the seed"
    );
    let mut actual = all_pages(app, query, 200).await;
    actual.sort();
    assert_eq!(actual, expected, "{query}");
}

#[tokio::test]
async fn every_filter_includes_what_matches_and_excludes_the_rest() {
    let app = spawn_app().await;
    let catalog = catalog(&app).await;
    assert!(catalog.len() >= 60);

    assert_filter(&app, &catalog, "category=plyometric", |e| {
        e["category"] == "plyometric"
    })
    .await;
    assert_filter(&app, &catalog, "category=warm_up,cool_down", |e| {
        e["category"] == "warm_up" || e["category"] == "cool_down"
    })
    .await;
    assert_filter(&app, &catalog, "muscle=glutes", |e| {
        has(e, "primary_muscles", "glutes") || has(e, "secondary_muscles", "glutes")
    })
    .await;
    assert_filter(&app, &catalog, "muscle=glutes&muscle_role=primary", |e| {
        has(e, "primary_muscles", "glutes")
    })
    .await;
    assert_filter(&app, &catalog, "pattern=hinge,lunge", |e| {
        e["movement_pattern"] == "hinge" || e["movement_pattern"] == "lunge"
    })
    .await;
    // An exercise qualifies when its kit or any alternative kit is complete.
    let doable_with = |e: &Value, has: &[&str]| {
        std::iter::once(&e["equipment"])
            .chain(e["equipment_alternatives"].as_array().unwrap())
            .any(|kit| {
                kit.as_array()
                    .unwrap()
                    .iter()
                    .all(|item| item == "none" || has.iter().any(|h| item == h))
            })
    };
    assert_filter(&app, &catalog, "equipment=dumbbell,mat", |e| {
        doable_with(e, &["dumbbell", "mat"])
    })
    .await;
    assert_filter(&app, &catalog, "equipment=kettlebell", |e| {
        doable_with(e, &["kettlebell"])
    })
    .await;
    assert_filter(&app, &catalog, "equipment=", |e| doable_with(e, &[])).await;
    // The goblet squat is a dumbbell exercise with a kettlebell alternative;
    // the plank lists a mat but the floor will do.
    let with_kettlebell = all_pages(&app, "equipment=kettlebell", 200).await;
    assert!(with_kettlebell.iter().any(|slug| slug == "goblet-squat"));
    let with_nothing = all_pages(&app, "equipment=", 200).await;
    assert!(with_nothing.iter().any(|slug| slug == "forearm-plank"));
    assert!(!with_nothing.iter().any(|slug| slug == "goblet-squat"));
    assert_filter(&app, &catalog, "max_difficulty=2", |e| {
        e["difficulty"].as_u64().unwrap() <= 2
    })
    .await;
    assert_filter(&app, &catalog, "max_impact=moderate", |e| {
        e["impact"] != "high"
    })
    .await;
    assert_filter(&app, &catalog, "max_impact=low", |e| e["impact"] == "low").await;
    assert_filter(&app, &catalog, "unilateral=true", |e| {
        e["unilateral"] == true
    })
    .await;
    assert_filter(&app, &catalog, "unilateral=false", |e| {
        e["unilateral"] == false
    })
    .await;
    assert_filter(&app, &catalog, "compound=true", |e| e["compound"] == true).await;
    assert_filter(&app, &catalog, "compound=false", |e| e["compound"] == false).await;
    assert_filter(&app, &catalog, "safe_for=knee,achilles", |e| {
        !has(e, "avoid_with", "knee") && !has(e, "avoid_with", "achilles")
    })
    .await;
    // Filters combine with AND.
    assert_filter(
        &app,
        &catalog,
        "category=lower_body&unilateral=true&max_difficulty=3",
        |e| {
            e["category"] == "lower_body"
                && e["unilateral"] == true
                && e["difficulty"].as_u64().unwrap() <= 3
        },
    )
    .await;
}

#[tokio::test]
async fn text_search_matches_names_and_summaries_and_word_fragments() {
    let app = spawn_app().await;
    let lunges = all_pages(&app, "q=lunge", 200).await;
    assert!(lunges.contains(&"reverse-lunge".to_owned()), "{lunges:?}");
    assert!(lunges.contains(&"walking-lunge".to_owned()), "{lunges:?}");
    assert!(!lunges.contains(&"glute-bridge".to_owned()), "{lunges:?}");
    // Stemming: the plural finds the singular.
    let plural = all_pages(&app, "q=lunges", 200).await;
    assert!(plural.contains(&"reverse-lunge".to_owned()), "{plural:?}");
    // A fragment of a name still matches.
    let fragment = all_pages(&app, "q=deadl", 200).await;
    assert!(
        fragment.contains(&"single-leg-deadlift".to_owned()),
        "{fragment:?}"
    );
    assert!(all_pages(&app, "q=zzzyzzx", 200).await.is_empty());
    // Special characters are data, not syntax.
    assert!(all_pages(&app, "q=%25%5C_%27", 200).await.is_empty());
}

#[tokio::test]
async fn pagination_walks_the_whole_catalog_in_stable_order_without_gaps() {
    let app = spawn_app().await;
    let everything = all_pages(&app, "", 200).await;
    let mut sorted = everything.clone();
    sorted.sort();
    assert_eq!(everything, sorted, "not in slug order");
    for page_size in [1, 7, 50] {
        assert_eq!(
            all_pages(&app, "", page_size).await,
            everything,
            "page size {page_size}"
        );
    }
    let total = catalog(&app).await.len();
    assert_eq!(everything.len(), total);
    // Default page size is 50.
    let first = app.get_json("/v1/exercises").await;
    assert_eq!(first["items"].as_array().unwrap().len(), 50.min(total));
}

#[tokio::test]
async fn bad_query_values_answer_400_with_a_pointer() {
    let app = spawn_app().await;
    for (query, pointer) in [
        ("category=cardio", "/category"),
        ("muscle=glutes,elbows", "/muscle"),
        ("pattern=", "/pattern"),
        ("equipment=treadmill", "/equipment"),
        ("max_difficulty=6", "/max_difficulty"),
        ("max_impact=extreme", "/max_impact"),
        ("unilateral=yes", "/unilateral"),
        ("safe_for=elbow", "/safe_for"),
        ("muscle_role=tertiary", "/muscle_role"),
        ("limit=0", "/limit"),
        ("limit=10000", "/limit"),
        ("limit=201", "/limit"),
        ("limit=abc", "/limit"),
        ("cursor=not-a-cursor", "/cursor"),
        ("cursor=ZXhlcmNpc2U6", "/cursor"),
    ] {
        let response = app.get(&format!("/v1/exercises?{query}")).await;
        let body = assert_problem(response, 400).await;
        let pointers: Vec<&str> = body["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("{query}: no errors in {body}"))
            .iter()
            .map(|e| e["pointer"].as_str().unwrap())
            .collect();
        assert_eq!(pointers, [pointer], "{query}: {body}");
    }
    // Several bad parameters are all reported at once.
    let body = assert_problem(app.get("/v1/exercises?limit=0&category=cardio").await, 400).await;
    assert_eq!(body["errors"].as_array().unwrap().len(), 2, "{body}");
    // An unknown parameter is refused rather than ignored.
    let body = assert_problem(app.get("/v1/exercises?colour=red").await, 400).await;
    assert!(
        body["detail"].as_str().unwrap().contains("colour"),
        "{body}"
    );
    assert_problem(app.get("/v1/exercises/export?format=csv").await, 400).await;
}

#[tokio::test]
async fn one_exercise_by_slug_or_id_and_404_for_unknown() {
    let app = spawn_app().await;
    let by_slug = app.get_json("/v1/exercises/single-leg-deadlift").await;
    assert_eq!(
        by_slug["name"].as_str().unwrap().to_lowercase(),
        "single-leg deadlift"
    );
    let id = by_slug["id"].as_str().unwrap();
    let by_id = app.get_json(&format!("/v1/exercises/{id}")).await;
    assert_eq!(by_id, by_slug);
    for field in [
        "summary",
        "category",
        "movement_pattern",
        "primary_muscles",
        "secondary_muscles",
        "equipment",
        "unilateral",
        "compound",
        "impact",
        "difficulty",
        "instructions",
        "cues",
        "easier",
        "harder",
        "substitutes",
        "avoid_with",
        "helps_with",
        "benefits",
        "default_prescription",
    ] {
        assert!(!by_slug[field].is_null(), "{field} missing");
    }
    assert_problem(app.get("/v1/exercises/no-such-slug").await, 404).await;
    assert_problem(
        app.get(&format!("/v1/exercises/{}", uuid::Uuid::now_v7()))
            .await,
        404,
    )
    .await;
    assert_problem(app.get("/v1/exercises/no-such-slug/progression").await, 404).await;
}

#[tokio::test]
async fn catalog_reads_carry_strong_etags_and_answer_304() {
    let app = spawn_app().await;
    for path in [
        "/v1/exercises/glute-bridge",
        "/v1/exercises?category=core&limit=5",
        "/v1/exercises/glute-bridge/progression",
        "/v1/exercises/export?format=free-exercise-db",
        "/v1/vocabularies",
    ] {
        let first = app.get(path).await;
        assert_eq!(first.status(), 200, "{path}");
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        assert!(
            etag.starts_with('"') && !etag.starts_with("W/"),
            "{path}: {etag}"
        );
        let body = first.bytes().await.unwrap();

        let again = app.get(path).await;
        assert_eq!(
            again.headers()["etag"].to_str().unwrap(),
            etag,
            "{path}: not stable"
        );
        assert_eq!(again.bytes().await.unwrap(), body);

        let cached = app
            .client
            .get(app.url(path))
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(cached.status(), 304, "{path}");
        assert_eq!(cached.headers()["etag"].to_str().unwrap(), etag);
        assert!(cached.bytes().await.unwrap().is_empty());

        let stale = app
            .client
            .get(app.url(path))
            .header("If-None-Match", "\"0000\"")
            .send()
            .await
            .unwrap();
        assert_eq!(stale.status(), 200, "{path}");
    }
    // Different content, different tag.
    let a = app.get("/v1/exercises/glute-bridge").await.headers()["etag"].clone();
    let b = app.get("/v1/exercises/pallof-press").await.headers()["etag"].clone();
    assert_ne!(a, b);
}

#[tokio::test]
async fn progression_is_the_same_ordered_chain_from_every_member() {
    let app = spawn_app().await;
    let progression = app.get_json("/v1/exercises/glute-bridge/progression").await;
    let chain: Vec<String> = progression["chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| step["slug"].as_str().unwrap().to_owned())
        .collect();
    assert!(chain.len() >= 2, "{chain:?}");
    let position = progression["position"].as_u64().unwrap() as usize;
    assert_eq!(chain[position], "glute-bridge");
    for (index, slug) in chain.iter().enumerate() {
        let from_member = app
            .get_json(&format!("/v1/exercises/{slug}/progression"))
            .await;
        let member_chain: Vec<&str> = from_member["chain"]
            .as_array()
            .unwrap()
            .iter()
            .map(|step| step["slug"].as_str().unwrap())
            .collect();
        assert_eq!(member_chain, chain, "from {slug}");
        assert_eq!(from_member["position"], index);
        // Each step is the linked harder version of the one before.
        if index + 1 < chain.len() {
            let exercise = app.get_json(&format!("/v1/exercises/{slug}")).await;
            let harder_link = exercise["harder"]
                .as_array()
                .unwrap()
                .iter()
                .find(|v| v["kind"] == "exercise")
                .map(|v| v["exercise_slug"].as_str().unwrap().to_owned());
            assert_eq!(harder_link.as_deref(), Some(chain[index + 1].as_str()));
        }
    }
}

#[tokio::test]
async fn free_exercise_db_export_uses_that_format() {
    let app = spawn_app().await;
    let total = catalog(&app).await.len();
    let export = app
        .get_json("/v1/exercises/export?format=free-exercise-db")
        .await;
    let items = export.as_array().unwrap();
    assert_eq!(items.len(), total);
    let levels = ["beginner", "intermediate", "expert"];
    let categories = ["strength", "stretching", "plyometrics", "cardio"];
    for item in items {
        for field in [
            "name",
            "level",
            "mechanic",
            "equipment",
            "primaryMuscles",
            "secondaryMuscles",
            "instructions",
            "category",
        ] {
            assert!(!item[field].is_null(), "{field} missing in {item}");
        }
        assert!(levels.contains(&item["level"].as_str().unwrap()), "{item}");
        assert!(
            categories.contains(&item["category"].as_str().unwrap()),
            "{item}"
        );
        assert!(!item["primaryMuscles"].as_array().unwrap().is_empty());
    }
    let bridge = items.iter().find(|i| i["id"] == "glute-bridge").unwrap();
    assert!(
        bridge["primaryMuscles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m == "glutes")
    );
}

#[tokio::test]
async fn each_vocabulary_is_served_alone_as_in_the_whole_list() {
    let app = spawn_app().await;
    let all = app.get_json("/v1/vocabularies").await;
    let fields = all.as_object().unwrap();
    assert_eq!(fields.len(), 13);
    for (name, values) in fields {
        let response = app.get(&format!("/v1/vocabularies/{name}")).await;
        assert_eq!(response.status(), 200, "{name}");
        let etag = response.headers()["etag"].to_str().unwrap().to_owned();
        let one: Value = response.json().await.unwrap();
        assert_eq!(one["name"], name.as_str());
        assert_eq!(&one["values"], values, "{name}");
        let cached = app
            .client
            .get(app.url(&format!("/v1/vocabularies/{name}")))
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(cached.status(), 304, "{name}");
    }
    for unknown in ["muscle", "MUSCLES", "vocabularies"] {
        assert_problem(app.get(&format!("/v1/vocabularies/{unknown}")).await, 404).await;
    }
}

#[tokio::test]
async fn vocabularies_list_every_enumeration() {
    let app = spawn_app().await;
    let vocabularies = app.get_json("/v1/vocabularies").await;
    assert_eq!(vocabularies["muscles"].as_array().unwrap().len(), 17);
    assert_eq!(vocabularies["equipment"].as_array().unwrap().len(), 13);
    assert_eq!(vocabularies["categories"].as_array().unwrap().len(), 8);
    assert!(
        vocabularies["injury_areas"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v == "plantar_fascia")
    );
    assert!(
        vocabularies["goals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v == "speed_power")
    );
    assert!(
        vocabularies["session_kinds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v == "hiit_circuit")
    );
}

/// Anonymous list pages are filtered in memory (`ExerciseFilter::matches`)
/// from the cached catalog; signed-in ones by SQL (`repo::exercises::list`).
/// Both must give the same exercises for every filter: each single value
/// of each filter, then a few hundred random combinations (fixed seed).
#[tokio::test]
async fn the_in_memory_filter_agrees_with_the_sql_filter() {
    use runstrong::domain::catalog_filter::{ExerciseFilter, MuscleRole};
    use runstrong::domain::vocabulary::{
        Category, Equipment, Impact, InjuryArea, MovementPattern, Muscle,
    };
    use runstrong::repo::exercises as repo;

    let app = spawn_app().await;
    let url = app.database_url();
    let checked = tokio::task::spawn_blocking(move || {
        use diesel::Connection;
        let mut connection = diesel::PgConnection::establish(&url).unwrap();
        let catalog = repo::all(&mut connection, None).unwrap();
        let mut filters: Vec<ExerciseFilter> = Vec::new();
        let one = |set: &dyn Fn(&mut ExerciseFilter)| {
            let mut filter = ExerciseFilter::default();
            set(&mut filter);
            filter
        };
        for value in Category::ALL {
            filters.push(one(&|f| f.categories = vec![*value]));
        }
        for value in Muscle::ALL {
            filters.push(one(&|f| f.muscles = vec![*value]));
            filters.push(one(&|f| {
                f.muscles = vec![*value];
                f.muscle_role = MuscleRole::Primary;
            }));
        }
        for value in MovementPattern::ALL {
            filters.push(one(&|f| f.patterns = vec![*value]));
        }
        for value in Equipment::ALL {
            filters.push(one(&|f| f.equipment_available = Some(vec![*value])));
        }
        filters.push(one(&|f| f.equipment_available = Some(Vec::new())));
        for value in InjuryArea::ALL {
            filters.push(one(&|f| f.safe_for = vec![*value]));
        }
        for value in Impact::ALL {
            filters.push(one(&|f| f.max_impact = Some(*value)));
        }
        for max in 1..=5 {
            filters.push(one(&|f| f.max_difficulty = Some(max)));
        }
        for flag in [true, false] {
            filters.push(one(&|f| f.unilateral = Some(flag)));
            filters.push(one(&|f| f.compound = Some(flag)));
        }
        // Random combinations: xorshift, fixed seed, so failures repeat.
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = move |below: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % below as u64) as usize
        };
        fn some_of<T: Copy>(all: &[T], pick: &mut impl FnMut(usize) -> usize) -> Vec<T> {
            let count = pick(3);
            (0..count).map(|_| all[pick(all.len())]).collect()
        }
        for _ in 0..400 {
            filters.push(ExerciseFilter {
                categories: some_of(Category::ALL, &mut next),
                muscles: some_of(Muscle::ALL, &mut next),
                muscle_role: if next(2) == 0 {
                    MuscleRole::Any
                } else {
                    MuscleRole::Primary
                },
                patterns: some_of(MovementPattern::ALL, &mut next),
                equipment_available: (next(2) == 0).then(|| {
                    (0..next(5))
                        .map(|_| Equipment::ALL[next(Equipment::ALL.len())])
                        .collect()
                }),
                max_difficulty: (next(2) == 0).then(|| next(5) as u8 + 1),
                max_impact: (next(2) == 0).then(|| Impact::ALL[next(Impact::ALL.len())]),
                unilateral: [None, Some(true), Some(false)][next(3)],
                compound: [None, Some(true), Some(false)][next(3)],
                safe_for: some_of(InjuryArea::ALL, &mut next),
                text: None,
            });
        }
        let mut nonempty = 0;
        for filter in &filters {
            let (by_sql, _) = repo::list(&mut connection, None, filter, None, 1000).unwrap();
            let by_sql: Vec<&str> = by_sql.iter().map(|e| e.definition.slug.as_str()).collect();
            let in_memory: Vec<&str> = catalog
                .iter()
                .filter(|e| filter.matches(e))
                .map(|e| e.definition.slug.as_str())
                .collect();
            assert_eq!(in_memory, by_sql, "{filter:?}");
            nonempty += usize::from(!by_sql.is_empty());
        }
        (filters.len(), nonempty)
    })
    .await
    .unwrap();
    // The comparison means something only if many filters match something.
    assert!(checked.1 > checked.0 / 3, "{checked:?}");
}
