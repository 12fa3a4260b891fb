use super::*;

fn inferred(name: &str, description: &str) -> Vec<String> {
    assign(&[], Some(name), Some(description), &[]).categories
}

#[test]
fn phrases_are_found_in_six_languages() {
    for (name, description, want) in [
        (
            "Budget",
            "Run a participatory budgeting process",
            "participatory-budgeting",
        ),
        (
            "Budget",
            "Plateforme de budgets participatifs",
            "participatory-budgeting",
        ),
        (
            "Presupuestos",
            "Gestión de presupuestos participativos",
            "participatory-budgeting",
        ),
        (
            "Bilancio",
            "Raccolta e voto delle proposte del bilancio partecipativo",
            "participatory-budgeting",
        ),
        (
            "Haushalt",
            "Ein Bürgerhaushalt für Köln",
            "participatory-budgeting",
        ),
        (
            "Orçamento",
            "Orçamento participativo digital",
            "participatory-budgeting",
        ),
        ("Pétitions", "Créez une pétition en ligne", "petitions"),
        ("Firmas", "Recoge firmas para tu petición", "petitions"),
        (
            "X",
            "Make FOI requests to public bodies",
            "freedom-of-information",
        ),
        (
            "Ma Dada",
            "Demandes d'accès aux documents administratifs",
            "freedom-of-information",
        ),
        (
            "Mes Aides",
            "Simulateur de prestations sociales",
            "service-delivery-and-benefits",
        ),
        (
            "DansMaRue",
            "Signaler une anomalie dans l'espace public",
            "civic-reporting-and-mapping",
        ),
        ("Open Data", "Portail de données ouvertes", "open-data"),
        ("Datos", "Portal de datos abiertos", "open-data"),
        ("Dati", "Portale dei dati aperti regionali", "open-data"),
        ("X", "Legislative drafting and amendments", "law-making"),
        ("X", "Outil de consultation publique", "consultation"),
        ("X", "Deliberative democracy platform", "deliberation"),
        (
            "X",
            "Secure online voting for elections",
            "voting-and-elections",
        ),
        (
            "X",
            "Track lobbying and conflicts of interest",
            "transparency-and-accountability",
        ),
        (
            "X",
            "Explore public spending and procurement",
            "public-spending",
        ),
        (
            "X",
            "Collaborative decision-making for groups",
            "collaboration",
        ),
        (
            "LibreOffice",
            "Suite bureautique",
            "office-and-productivity",
        ),
        (
            "Thunderbird",
            "Client de messagerie et agenda",
            "communication-and-messaging",
        ),
        ("Jenkins", "Intégration continue", "software-development"),
        (
            "PostgreSQL",
            "Base de données relationnelle",
            "it-infrastructure",
        ),
        (
            "KeePass",
            "Gestionnaire de mots de passe",
            "security-and-identity",
        ),
        ("QGIS", "Système d'information géographique", "geospatial"),
        ("Moodle", "Plateforme d'apprentissage en ligne", "education"),
        ("OpenMRS", "A medical record system platform", "health"),
        (
            "Drupal",
            "Système de gestion de contenus web",
            "content-management",
        ),
        ("Matomo", "Mesure d'audience des sites web", "data-analysis"),
        (
            "GIMP",
            "Retouche d'images matricielles",
            "multimedia-and-design",
        ),
        (
            "Pastell",
            "Signature électronique et gestion du courrier",
            "administration-and-management",
        ),
        ("PyPSA", "Energy system modelling", "environment-and-energy"),
        ("NVDA", "Lecteur d'écran", "accessibility"),
    ] {
        let got = inferred(name, description);
        assert!(got.iter().any(|c| c == want), "{description}: {got:?}");
    }
}

#[test]
fn misleading_contexts_take_their_weight_back() {
    // A development environment is no natural environment; a document editor no consultation.
    assert!(
        !inferred("Eclipse", "Environnement de développement")
            .contains(&"environment-and-energy".to_string())
    );
    let (sill, _) = (
        assign(
            &["consultation et édition de documents".into()],
            Some("LibreOffice"),
            None,
            &[],
        ),
        (),
    );
    assert!(
        !sill.categories.contains(&"consultation".to_string()),
        "{sill:?}"
    );
    // Social security is no IT security; machine learning no education.
    assert!(
        !inferred("Calc", "Social Security benefit calculator")
            .contains(&"security-and-identity".to_string())
    );
    assert!(
        !inferred("X", "Machine learning for subsea movies").contains(&"education".to_string())
    );
    // Stems shared by unrelated words are matched as words: `petit`, `mobile`, `activity`.
    assert!(inferred("X", "Un petit outil mobile pour suivre votre activité").is_empty());
}

#[test]
fn one_weak_phrase_is_not_enough() {
    // `survey` alone is 0.5; an online survey tool is a consultation tool.
    assert!(inferred("X", "Survey").is_empty());
    assert_eq!(
        inferred("LimeSurvey", "Online survey tool"),
        ["consultation"]
    );
    assert!(inferred("Generic text", "Nothing to see here").is_empty());
}

#[test]
fn declared_categories_win_and_inference_fills_the_rest() {
    let a = assign(
        &[
            "Petitions".into(),
            "content-management".into(),
            "Outil maison".into(),
        ],
        Some("Open data portal"),
        Some("Publish open data"),
        &["participatory-budgeting".into()],
    );
    assert_eq!(a.categories, ["content-management", "petitions"]);
    assert!(!a.inferred && a.scores.is_empty());
    assert_eq!(a.unmatched, ["Outil maison"]);

    let b = assign(
        &["Outil maison".into()],
        Some("Open data portal"),
        None,
        &["participatory-budgeting".into()],
    );
    assert_eq!(b.categories, ["open-data", "participatory-budgeting"]);
    assert!(b.inferred);
    // `open data` and `data portal` in the name, the tag twice over: as the id and as the
    // phrase `participatory budget`.
    assert_eq!(b.scores, ["open-data:2.00", "participatory-budgeting:2.00"]);
}

#[test]
fn every_category_id_is_declared_by_itself_and_every_phrase_finds_its_own_words() {
    for c in VOCABULARY {
        assert_eq!(
            assign(&[c.id.to_string()], None, None, &[]).categories,
            [c.id]
        );
        assert!(!c.definition.is_empty() && !c.phrases.is_empty());
        for (phrase, weight) in c.phrases {
            let words = phrase.split_once(':').unwrap().1;
            let found = score(&[words], &[]);
            let e = found.iter().find(|e| e.category == c.id);
            assert!(
                // A phrase may be shadowed by another of its category on the same word.
                e.is_some_and(|e| e.score >= *weight) || *weight < 0.0,
                "{phrase} does not find itself: {found:?}"
            );
        }
    }
    for (label, id) in DECLARED {
        assert!(is_category(id), "{label} → {id}");
        assert_eq!(values::tag(label), *label, "{label} is kebab case");
    }
}

#[test]
fn a_phrase_counts_once_and_shared_words_count_once() {
    // `consultation` is both `en:consult` and `fr:consultation`: one word, one count.
    let e = score(&["consultation consultation"], &[]);
    assert_eq!(e[0].category, "consultation");
    assert_eq!(e[0].score, 1.0);
}

#[test]
fn a_broad_declared_category_is_made_precise_by_the_text_and_never_overridden() {
    // `e-participation` with a text naming participatory budgeting.
    let a = assign(
        &["e-participation".into()],
        Some("Bilancio Partecipativo"),
        Some("Raccolta e voto delle proposte del bilancio partecipativo nei quartieri"),
        &[],
    );
    assert_eq!(a.categories, ["participatory-budgeting"]);
    // A text naming nothing of the family: the default.
    let b = assign(
        &["e-participation".into()],
        Some("Partecipa"),
        Some("Piattaforma del Comune"),
        &[],
    );
    assert_eq!(b.categories, ["consultation"]);
    // Another family the text names is not added: the declaration stands.
    let c = assign(
        &["data-collection".into(), "data-visualization".into()],
        Some("Portale Open Data"),
        Some("Portale dei dati aperti regionali basato su CKAN, con mappe GIS"),
        &[],
    );
    assert_eq!(c.categories, ["open-data"]);
    assert!(!c.scores.is_empty(), "a refined category keeps its score");
}

#[test]
fn a_word_of_manner_names_collaboration_only_when_nothing_else_scores_as_much() {
    assert_eq!(
        inferred(
            "Wekan",
            "Tableaux kanban collaboratifs à héberger soi-même."
        ),
        ["office-and-productivity"]
    );
    assert_eq!(
        inferred("Cryptpad", "Suite collaborative chiffrée"),
        ["collaboration"]
    );
    assert!(
        !inferred(
            "Blood Safety Information System",
            "System to monitor blood inventory from collection to transfusion."
        )
        .contains(&"it-infrastructure".to_string())
    );
}
