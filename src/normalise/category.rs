//! Functional categories: the project's vocabulary ([`VOCABULARY`]) assigned from the
//! categories, tags and topics a source gives and from descriptions in English, French and
//! Spanish, by keyword rules documented in docs/normalisation.md.
//!
//! Matching is done on folded text (lowercase, accents removed, punctuation to spaces): a
//! keyword matches where a word starts, so `petition` matches `petitions` and `pétitionner`;
//! a keyword written with a trailing space (`foi `) must be a whole word.

use super::country::fold;

/// One functional category: id, definition, keywords (English, French, Spanish).
pub struct Category {
    pub id: &'static str,
    pub definition: &'static str,
    pub keywords: &'static [&'static str],
}

/// The functional categories, drawn from what the OGP Toolbox listed tools for.
pub const VOCABULARY: &[Category] = &[
    Category {
        id: "consultation",
        definition: "asking the public for opinions or proposals on a question, a plan or a text",
        keywords: &[
            "consultation",
            "public comment",
            "survey",
            "questionnaire",
            "citizen proposal",
            "consulta",
            "encuesta",
            "sondage",
            "concertation",
            "propuestas ciudadanas",
        ],
    },
    Category {
        id: "participatory-budgeting",
        definition: "residents proposing and voting on how part of a public budget is spent",
        keywords: &[
            "participatory budget",
            "participatory-budget",
            "budget participatif",
            "budgets participatifs",
            "presupuesto participativo",
            "presupuestos participativos",
            "pb ",
        ],
    },
    Category {
        id: "petitions",
        definition: "collecting signatures in support of a demand to a public body",
        keywords: &[
            "petition",
            "peticion",
            "signature collection",
            "recogida de firmas",
        ],
    },
    Category {
        id: "deliberation",
        definition: "structured discussion among participants to reach shared conclusions",
        keywords: &[
            "deliberat",
            "debate",
            "debat",
            "discussion",
            "citizens assembl",
            "citizen assembl",
            "assemblee citoyenne",
            "convention citoyenne",
            "asamblea ciudadana",
            "consensus",
            "consenso",
            "mini public",
        ],
    },
    Category {
        id: "voting-and-elections",
        definition: "casting, counting or observing votes; election information and results",
        keywords: &[
            "election",
            "voting",
            "voter",
            "ballot",
            "e voting",
            "scrutin",
            "vote electronique",
            "votacion",
            "votaciones",
            "elecciones",
            "electoral",
            "referendum",
        ],
    },
    Category {
        id: "law-making",
        definition: "drafting, amending, tracking or commenting on laws, bills and regulations",
        keywords: &[
            "legislat",
            "bill tracking",
            "bills ",
            "law making",
            "lawmaking",
            "parliament",
            "amendment",
            "loi ",
            "lois ",
            "projet de loi",
            "amendement",
            "parlement",
            "legislacion",
            "proyecto de ley",
            "parlamento",
            "enmienda",
            "congreso",
        ],
    },
    Category {
        id: "transparency-and-accountability",
        definition: "monitoring public officials and institutions; lobbying, conflicts of interest, \
                     promises and votes of representatives",
        keywords: &[
            "transparen",
            "accountab",
            "watchdog",
            "lobby",
            "conflict of interest",
            "corruption",
            "corrupcion",
            "rendicion de cuentas",
            "redevabilite",
            "promise tracker",
            "politician",
            "elus ",
            "representatives",
        ],
    },
    Category {
        id: "open-data",
        definition: "publishing, cataloguing or reusing open data sets",
        keywords: &[
            "open data",
            "opendata",
            "open-data",
            "data portal",
            "data catalog",
            "donnees ouvertes",
            "open donnees",
            "portail de donnees",
            "datos abiertos",
            "portal de datos",
            "ckan",
            "dataset",
        ],
    },
    Category {
        id: "public-spending",
        definition: "budgets, public spending, procurement and contracts made readable",
        keywords: &[
            "public spending",
            "spending",
            "open budget",
            "budget data",
            "procurement",
            "open contracting",
            "public contracts",
            "depenses publiques",
            "marches publics",
            "commande publique",
            "gasto publico",
            "contratacion publica",
            "presupuesto publico",
        ],
    },
    Category {
        id: "freedom-of-information",
        definition: "requesting and publishing documents held by public bodies",
        keywords: &[
            "freedom of information",
            "foi ",
            "foia",
            "right to know",
            "access to information",
            "information request",
            "acces aux documents administratifs",
            "demande d acces",
            "cada ",
            "acceso a la informacion",
            "solicitud de informacion",
            "derecho a saber",
        ],
    },
    Category {
        id: "service-delivery-and-benefits",
        definition: "helping people use public services: benefit and tax simulators, eligibility, \
                     forms and appointments",
        keywords: &[
            "benefit",
            "eligibility",
            "tax ",
            "taxes ",
            "tax calculat",
            "tax-benefit",
            "social security",
            "simulat",
            "prestations sociales",
            "aides sociales",
            "droits sociaux",
            "impot",
            "demarches",
            "service public",
            "public service",
            "prestaciones sociales",
            "ayudas",
            "impuesto",
            "tramites",
            "servicios publicos",
        ],
    },
    Category {
        id: "civic-reporting-and-mapping",
        definition: "reporting local problems to the authority in charge and mapping them",
        keywords: &[
            "report a problem",
            "report problems",
            "report issues",
            "fix my street",
            "fixmystreet",
            "pothole",
            "open311",
            "signaler",
            "signalement",
            "reportar un problema",
            "reportar problemas",
            "incidencias",
            "civic issue",
        ],
    },
    Category {
        id: "mobilisation",
        definition: "organising people around a cause: campaigns, volunteers, events, advocacy",
        keywords: &[
            "mobilis",
            "mobiliz",
            "campaign",
            "advocacy",
            "volunteer",
            "activis",
            "organizing",
            "militant",
            "benevol",
            "plaidoyer",
            "movilizacion",
            "campana",
            "voluntari",
            "activismo",
        ],
    },
    Category {
        id: "collaboration",
        definition: "working together on documents, decisions or projects; group decision-making",
        keywords: &[
            "collaborat",
            "co creation",
            "cocreation",
            "co construction",
            "group decision",
            "decision making",
            "prise de decision",
            "toma de decisiones",
            "colaborativ",
            "wiki",
            "collective intelligence",
            "intelligence collective",
            "inteligencia colectiva",
        ],
    },
];

/// True when `id` is a category of the vocabulary.
pub fn is_category(id: &str) -> bool {
    VOCABULARY.iter().any(|c| c.id == id)
}

/// The categories whose keywords occur in `text` (any language), in vocabulary order.
pub fn from_text(text: &str) -> Vec<&'static str> {
    let hay = format!(" {} ", fold(&text.replace(['-', '_'], " ")));
    VOCABULARY
        .iter()
        .filter(|c| {
            c.keywords.iter().any(|k| {
                let needle = format!(" {}", fold(k));
                let needle = if k.ends_with(' ') {
                    format!("{needle} ")
                } else {
                    needle
                };
                hay.contains(&needle)
            })
        })
        .map(|c| c.id)
        .collect()
}

/// Categories of a record: each source category that names one of the vocabulary (as its id
/// or through the keywords), then the keywords of tags and description. Returns the sorted
/// categories and the source categories that matched none (they become tags).
pub fn assign(
    source_categories: &[String],
    tags: &[String],
    description: Option<&str>,
) -> (Vec<String>, Vec<String>) {
    let mut out: Vec<String> = Vec::new();
    let mut unmatched = Vec::new();
    for c in source_categories {
        let id = super::values::tag(c);
        if is_category(&id) {
            out.push(id);
            continue;
        }
        let found = from_text(c);
        if found.is_empty() {
            unmatched.push(c.clone());
        }
        out.extend(found.into_iter().map(str::to_string));
    }
    for t in tags {
        if is_category(t) {
            out.push(t.clone());
        }
        out.extend(from_text(t).into_iter().map(str::to_string));
    }
    if let Some(d) = description {
        out.extend(from_text(d).into_iter().map(str::to_string));
    }
    out.sort();
    out.dedup();
    (out, unmatched)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cats(text: &str) -> Vec<&'static str> {
        from_text(text)
    }

    #[test]
    fn keyword_rules_in_three_languages() {
        for (text, want) in [
            (
                "Plateforme de budget participatif",
                "participatory-budgeting",
            ),
            (
                "Gestión de presupuestos participativos",
                "participatory-budgeting",
            ),
            (
                "Run a participatory budgeting process",
                "participatory-budgeting",
            ),
            ("Créez une pétition en ligne", "petitions"),
            ("Recoge firmas para tu petición", "petitions"),
            ("Online petitions for parliament", "petitions"),
            (
                "Make FOI requests to public bodies",
                "freedom-of-information",
            ),
            ("Freedom of Information requests", "freedom-of-information"),
            (
                "Demandes d'accès aux documents administratifs",
                "freedom-of-information",
            ),
            (
                "Solicitudes de acceso a la información",
                "freedom-of-information",
            ),
            (
                "Simulateur de prestations sociales",
                "service-delivery-and-benefits",
            ),
            ("Compute tax and benefits", "service-delivery-and-benefits"),
            (
                "Report a problem in your street",
                "civic-reporting-and-mapping",
            ),
            ("Signaler un nid-de-poule", "civic-reporting-and-mapping"),
            ("Portail de données ouvertes", "open-data"),
            ("Portal de datos abiertos", "open-data"),
            ("Legislative drafting and amendments", "law-making"),
            ("Outil de consultation publique", "consultation"),
            ("Deliberative democracy platform", "deliberation"),
            ("Secure online voting for elections", "voting-and-elections"),
            (
                "Track lobbying and conflicts of interest",
                "transparency-and-accountability",
            ),
            ("Explore public spending and procurement", "public-spending"),
            ("Organise volunteers and campaigns", "mobilisation"),
            ("Collaborative decision-making for groups", "collaboration"),
        ] {
            assert!(cats(text).contains(&want), "{text}: {:?}", cats(text));
        }
    }

    #[test]
    fn whole_word_keywords_do_not_match_inside_words() {
        assert!(!cats("Food bank logistics").contains(&"freedom-of-information"));
        assert!(!cats("a syntax highlighter").contains(&"service-delivery-and-benefits"));
        assert!(cats("Generic text editor").is_empty());
    }

    #[test]
    fn source_categories_tags_and_descriptions_are_combined() {
        let (cats, rest) = assign(
            &["Petitions".into(), "content-management".into()],
            &["participatory-budgeting".into(), "open-data".into()],
            Some("Un outil de consultation"),
        );
        assert_eq!(
            cats,
            [
                "consultation",
                "open-data",
                "participatory-budgeting",
                "petitions"
            ]
        );
        assert_eq!(rest, ["content-management"]);
    }

    #[test]
    fn every_category_id_assigns_itself() {
        for c in VOCABULARY {
            let (cats, _) = assign(&[c.id.to_string()], &[], None);
            assert_eq!(cats, [c.id]);
            assert!(!c.definition.is_empty() && !c.keywords.is_empty());
        }
    }
}
